// The first pass of a SIREN's forward on GPUs (src/ops/siren_mlp_forward.ts): the first layer, as
// sine_linear_short.wgsl computes it, and the copies of the later layers' weights transposed for
// their products (transpose_each.wgsl's slots). Neither reads what the other writes, so they
// share a dispatch: one barrier fewer in the chain of a step's dispatches.
// Slot 1, invocations [0, M·N4), is the layer; slot k ≥ 2 writes out_k [cols_k, rows_k] =
// in_k [rows_k, cols_k]ᵀ from invocation start_k (a workgroup boundary), one element each.
// bindings, inputs before outputs (numbered by the snippets): X, W, bias, in_2.. (read); Y, Z,
//           out_2.. (storage; Z unused unless STORE_Z); params
// workgroup 256; grid: grid1d(start_SLOTS + rows_SLOTS·cols_SLOTS, 256)
#include "common.wgsl"

struct Params {
  M: u32, N4: u32, K: u32, omega: f32,
{{SLOT_PARAMS}}
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
{{BINDINGS}}
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

#include "sine_linear_short_outputs.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
{{SLOTS}}
}

// Transposes of several matrices in one pass (src/ops/shape.ts, transposeEach), a slot each
// (src/gpu/slots.ts): out_k [cols_k, rows_k] = in_k [rows_k, cols_k]ᵀ. A SIREN step copies its
// hidden layers' weights so that their forward products read Wᵀ along rows (see
// transposedForPlainCore in src/ops/matmul_kernel.ts): one dispatch for all, not one each.
// The snippets declare each slot k = 1..SLOTS: bindings in_k and out_k, params rows_k, cols_k,
// start_k, and its branch of main. Invocation j of slot k writes out_k[j] (adjacent stores) from
// in_k at row j % rows_k, column j / rows_k.
// bindings: 0..SLOTS−1 in_k (read); SLOTS..2·SLOTS−1 out_k (storage); then params
// workgroup 256; grid: grid1d(start_SLOTS + rows_SLOTS·cols_SLOTS, 256)
#include "common.wgsl"

struct Params {
{{SLOT_PARAMS}}
}

{{SLOT_BINDINGS}}
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
{{SLOT_COPIES}}
}

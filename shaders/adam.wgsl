// One Adam step for up to SLOTS parameter tensors in one pass (PyTorch's torch.optim.Adam):
//   g' = g + weight_decay·p
//   m = β1·m + (1−β1)·g'        v = β2·v + (1−β2)·g'²
//   p -= (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps)      bc = 1 − β^t (bias corrections)
// Several tensors, not one: a dispatch has a cost of its own, and SIREN's five layers have ten
// tensors, half of them 256-element biases. The slots are as many as the adapter's storage
// bindings allow, with the moments of all tensors in two buffers, m and v (src/optim/adam.ts):
// 3 with WebGPU's default 8, 7 on an H100's 16. The snippets declare each slot k = 1..SLOTS:
// bindings g_k and p_k, params n_k, start_k, offset_k, and its branch of main.
// Each slot starts at a workgroup boundary, so that a workgroup takes one branch: invocation i
// in [start_k, start_k+1) updates element i − start_k of slot k. An unused slot has n = 0.
// bindings: 0..SLOTS−1 g_k (read); SLOTS..2·SLOTS−1 p_k (storage); then m, v (storage: the
//           moments of many tensors, slot k's from offset_k); then params
// (1 − β and the bias corrections are formed on the host in float64: 1 − 0.999 in float32 is
// off by 1e-5 relative, which would bias every update.)
// workgroup 256; grid: grid1d(start_SLOTS + n_SLOTS, 256)
#include "common.wgsl"

struct Params {
{{SLOT_PARAMS}}
  lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, bc1: f32, bc2: f32,
  one_minus_beta1: f32, one_minus_beta2: f32,
}

{{SLOT_BINDINGS}}
@group(0) @binding({{M_BINDING}}) var<storage, read_write> m: array<f32>;
@group(0) @binding({{V_BINDING}}) var<storage, read_write> v: array<f32>;
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

// Updates the moments at index s of m and v and returns the new parameter value.
fn adam(p: f32, grad: f32, s: u32) -> f32 {
  let g = grad + params.weight_decay * p;
  let m_new = params.beta1 * m[s] + params.one_minus_beta1 * g;
  let v_new = params.beta2 * v[s] + params.one_minus_beta2 * g * g;
  m[s] = m_new;
  v[s] = v_new;
  let denom = sqrt(v_new) / sqrt(params.bc2) + params.eps;
  return p - (params.lr / params.bc1) * m_new / denom;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
{{SLOT_UPDATES}}
}

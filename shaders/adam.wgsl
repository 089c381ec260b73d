// One Adam step for one parameter tensor, in one pass (PyTorch's torch.optim.Adam semantics):
//   g' = g + weight_decay·p
//   m = β1·m + (1−β1)·g'        v = β2·v + (1−β2)·g'²
//   p -= (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps)      bc = 1 − β^t (bias corrections)
// bindings: 0 g (read); 1 p (storage); 2 m (storage); 3 v (storage);
//           4 params { n, lr, beta1, beta2, eps, weight_decay, bc1, bc2, one_minus_beta1, one_minus_beta2 }
// (1 − β and the bias corrections are formed on the host in float64: 1 − 0.999 in float32 is
// off by 1e-5 relative, which would bias every update.)
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params {
  n: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, bc1: f32, bc2: f32,
  one_minus_beta1: f32, one_minus_beta2: f32,
}

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let p = param[i];
  let g = grad[i] + params.weight_decay * p;
  let m_new = params.beta1 * m[i] + params.one_minus_beta1 * g;
  let v_new = params.beta2 * v[i] + params.one_minus_beta2 * g * g;
  m[i] = m_new;
  v[i] = v_new;
  let denom = sqrt(v_new) / sqrt(params.bc2) + params.eps;
  param[i] = p - (params.lr / params.bc1) * m_new / denom;
}

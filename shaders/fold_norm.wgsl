// Eval-mode BatchNorm folded into the convolution before it (src/ops/fold_norm.ts): with
// s = γ/√(σ² + ε) per output channel o,
//   W'[o, …] = W[o, …]·s[o]          b'[o] = (b[o] − μ[o])·s[o] + β[o]   (b = 0 without a bias)
// One invocation per element of W', then one per element of b'.
// bindings: 0 W (read, [O, per]); 1 b (read, [O]; any buffer when has_bias = 0); 2 γ; 3 β;
//           4 μ; 5 σ² (read, [O]); 6 W' (storage); 7 b' (storage); 8 params
// workgroup 256; grid: grid1d(O·per + O, 256)
#include "common.wgsl"

struct Params { channels: u32, per: u32, has_bias: u32, eps: f32 }

@group(0) @binding(0) var<storage, read> weight: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read> running_mean: array<f32>;
@group(0) @binding(5) var<storage, read> running_var: array<f32>;
@group(0) @binding(6) var<storage, read_write> folded_weight: array<f32>;
@group(0) @binding(7) var<storage, read_write> folded_bias: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

// the composite's order of operations: γ / √(σ² + ε)
fn scale_of(o: u32) -> f32 {
  return gamma[o] / sqrt(running_var[o] + params.eps);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let weights = params.channels * params.per;
  if (i < weights) {
    folded_weight[i] = weight[i] * scale_of(i / params.per);
  } else if (i < weights + params.channels) {
    let o = i - weights;
    let b = select(0.0, bias[o], params.has_bias != 0u);
    folded_bias[o] = (b - running_mean[o]) * scale_of(o) + beta[o];
  }
}

// Backward of sine_linear.wgsl's sine, with the first level of the bias gradient in the same pass:
//   dz[m, n]      = g[m, n]·ω·cos(ω·z[m, n])
//   partial[c, n] = Σ dz[m, n] over the rows of chunk c, m = c·R … c·R + R − 1
// db = Σ_c partial[c, n] is left to the engine's sum; dz feeds dx = dz·W and dW = dzᵀ·x. Summing
// here saves a dispatch and a full read of dz per layer.
// In vec4s: N is the count of vec4 columns (the layer's width / 4; other widths take the
// element-wise pass and the engine's sum, src/ops/sine_linear.ts). One invocation per
// (chunk, vec4 column): neighbouring invocations read neighbouring columns.
// bindings: 0 z (read, [M, N]); 1 g (read, [M, N]); 2 dz (storage, [M, N]);
//           3 partial (storage, [C, N], C = ceil(M / R)); 4 params { M, N, R, omega }
// grid: grid1d(C·N, 256)
#include "common.wgsl"

struct Params { M: u32, N: u32, R: u32, omega: f32 }

@group(0) @binding(0) var<storage, read> z: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dz: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partial: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let chunks = (params.M + params.R - 1u) / params.R;
  if (i >= chunks * params.N) {
    return;
  }
  let c = i / params.N;
  let n = i % params.N;
  let omega = params.omega;
  var acc = vec4<f32>(0.0);
  for (var m = c * params.R; m < min(params.M, c * params.R + params.R); m++) {
    let k = m * params.N + n;
    let d = g[k] * omega * cos(omega * z[k]);
    dz[k] = d;
    acc += d;
  }
  partial[i] = acc;
}

// Half the clamped dissimilarity of each pixel, from the blurred maps (src/ops/ssim.ts):
//   S = P·Q/(R·T), P = 2μaμb + C1, Q = 2(E[ab] − μaμb) + C2, R = μa² + μb² + C1,
//   T = (E[a²] − μa²) + (E[b²] − μb²) + C2;   out = clamp(1 − S, 0, 1)/2
// so that the loss is its mean. C1 = 0.01², C2 = 0.03² (images in [0, 1]).
// bindings: 0 blurred (read, [N, 5·C, H, W]: μa, μb, E[a²], E[b²], E[ab] per sample);
//           1 out (storage, [N, C, H, W]); 2 params { n (= N·C·H·W), sample (= C·H·W) }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "ssim_factors.wgsl"

struct Params { n: u32, sample: u32 }

@group(0) @binding(0) var<storage, read> blurred: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let f = ssim_factors(i);
  out[i] = clamp(1.0 - f.p * f.q / (f.r * f.t), 0.0, 1.0) * 0.5;
}

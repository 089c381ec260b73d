// Backward of ssim_map.wgsl: with dS = −g/2 where 0 ≤ 1 − S ≤ 1 (clamp passes its gradient on the
// closed interval, as unary.ts's clamp does) and 0 elsewhere (src/reference/ssim.ts derives it):
//   dμa = dS·S·(2μb/P − 2μb/Q − 2μa/R + 2μa/T), dμb likewise with a ↔ b,
//   dE[a²] = dE[b²] = −dS·S/T,  dE[ab] = dS·2S/Q
// bindings: 0 blurred (read, [N, 5·C, H, W]); 1 g (read, [N, C, H, W]); 2 d (storage, [N, 5·C, H, W]);
//           3 params { n (= N·C·H·W), sample (= C·H·W) }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "ssim_factors.wgsl"

struct Params { n: u32, sample: u32 }

@group(0) @binding(0) var<storage, read> blurred: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> d: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let f = ssim_factors(i);
  let s = f.p * f.q / (f.r * f.t);
  let inside = 1.0 - s >= 0.0 && 1.0 - s <= 1.0;
  let ds = select(0.0, -0.5 * g[i] * s, inside); // dS·S: every term below has a factor S
  let at = f.at;
  d[at] = ds * (2.0 * f.mu_b / f.p - 2.0 * f.mu_b / f.q - 2.0 * f.mu_a / f.r + 2.0 * f.mu_a / f.t);
  d[at + params.sample] = ds * (2.0 * f.mu_a / f.p - 2.0 * f.mu_a / f.q - 2.0 * f.mu_b / f.r + 2.0 * f.mu_b / f.t);
  d[at + 2u * params.sample] = -ds / f.t;
  d[at + 3u * params.sample] = -ds / f.t;
  d[at + 4u * params.sample] = 2.0 * ds / f.q;
}

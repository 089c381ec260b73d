// The four factors of SSIM at pixel i, S = P·Q/(R·T), from the blurred maps (ssim_map.wgsl and its
// backward, which declare `blurred` and `params` with n and sample), with μa, μb and where pixel
// i's maps are in the stack.
#include "ssim_stack.wgsl"

const C1: f32 = 0.0001; // 0.01²
const C2: f32 = 0.0009; // 0.03²

struct Factors { p: f32, q: f32, r: f32, t: f32, mu_a: f32, mu_b: f32, at: u32 }

fn ssim_factors(i: u32) -> Factors {
  let at = stacked_at(i);
  let mu_a = blurred[at];
  let mu_b = blurred[at + params.sample];
  let e_aa = blurred[at + 2u * params.sample];
  let e_bb = blurred[at + 3u * params.sample];
  let e_ab = blurred[at + 4u * params.sample];
  return Factors(
    2.0 * mu_a * mu_b + C1,
    2.0 * (e_ab - mu_a * mu_b) + C2,
    mu_a * mu_a + mu_b * mu_b + C1,
    (e_aa - mu_a * mu_a) + (e_bb - mu_b * mu_b) + C2,
    mu_a, mu_b, at);
}

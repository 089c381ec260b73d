// A standardisation's backward (src/ops/standardise.ts), from the group sums (Σ dy, Σ dy·x̂, Σ x̂)
// (standardise_gradient_sums.wgsl, summed over chunks): for element j of group g,
//   dx_j = scale_g/d·(dy_j − Σ dy/m − (x̂_j − Σ x̂/m)·k·Σ dy·x̂)
// (src/reference/norm.ts derives it without the Σ x̂/m, which is 0 in exact arithmetic: centring x̂
// as it was summed keeps Σ dx at 0 in float32 too, which is the gradient of a bias before a
// BatchNorm; without it that gradient's noise was 4× larger). k from standardise_finish.wgsl.
// The first `groups` invocations also write dscale_g = Σ dy·x̂ and dshift_g = Σ dy. Without
// AFFINE, scale_g = 1.
// bindings: 0 x, 1 dy (read); 2 stats (read, vec4 [groups]: mean, 1/d, k, m); 3 scale (read, [groups]);
//           4 sums (read, vec4 [groups]: Σ dy, Σ dy·x̂, Σ x̂, 0); 5 dx, 6 dscale, 7 dshift (storage); 8 params { n, groups, group_stride }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params { n: u32, groups: u32, group_stride: u32 }

override AFFINE: bool = true;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read> sums: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dscale: array<f32>;
@group(0) @binding(7) var<storage, read_write> dshift: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  if (i < params.groups) {
    dscale[i] = sums[i].y;
    dshift[i] = sums[i].x;
  }
  let g = (i / params.group_stride) % params.groups;
  let s = stats[g];
  let total = sums[g];
  let standardised = (x[i] - s.x) * s.y;
  var factor = s.y;
  if (AFFINE) {
    factor *= scale[g];
  }
  dx[i] = factor * (dy[i] - total.x / s.w - (standardised - total.z / s.w) * s.z * total.y);
}

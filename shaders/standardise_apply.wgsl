// A standardisation's forward (src/ops/standardise.ts): y = scale_g·(x − mean_g)/d_g + shift_g,
// g the group of element i, (i / group_stride) % groups (see group_chunks.wgsl), with
// mean_g and 1/d_g from standardise_finish.wgsl. Without AFFINE, y = x̂ (scale and shift are
// stand-ins, never read).
// bindings: 0 x (read); 1 stats (read, vec4 [groups]: mean, 1/d, k, m); 2 scale, 3 shift (read, [groups]);
//           4 y (storage); 5 params { n, groups, group_stride }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params { n: u32, groups: u32, group_stride: u32 }

override AFFINE: bool = true;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> shift: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let g = (i / params.group_stride) % params.groups;
  let s = stats[g];
  let standardised = (x[i] - s.x) * s.y;
  if (AFFINE) {
    y[i] = scale[g] * standardised + shift[g];
  } else {
    y[i] = standardised;
  }
}

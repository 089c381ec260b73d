// Gradient of PReLU, y = x for x > 0 and slope·x otherwise (src/ops/binary.ts prelu), in one pass
// over y's shape, x and the slope broadcast to it (a slope is one shared value, or one per
// channel):
//   dx_terms = g·(x > 0 ? 1 : slope)        slope_terms = g·(x > 0 ? 0 : x)
// each summed to its input's shape after (nothing to sum for x of y's shape). The INDEX snippet
// adds to ia and ib the offsets of x and the slope for element i (src/ops/index_codegen.ts).
// bindings: 0 x (read); 1 slope (read); 2 g (read, y's shape); 3 dx_terms, 4 slope_terms
//           (storage, y's shape); 5 params { n, rank, _, _, out_shape[8], x_strides[8], slope_strides[8] }
// workgroup 256, one invocation per element of y; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params {
  n: u32,
  rank: u32,
  _pad0: u32,
  _pad1: u32,
  out_shape: array<vec4<u32>, 2>,
  x_strides: array<vec4<u32>, 2>,
  slope_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> slope: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx_terms: array<f32>;
@group(0) @binding(4) var<storage, read_write> slope_terms: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  var ia = 0u;
  var ib = 0u;
{{INDEX}}
  let v = x[ia];
  let gi = g[i];
  let positive = v > 0.0;
  dx_terms[i] = select(slope[ib] * gi, gi, positive);
  slope_terms[i] = select(v * gi, 0.0, positive);
}

// Element-wise binary op with NumPy broadcasting: y[i] = op(a[ia], b[ib]), the op pasted in as
// {{EXPR}} (in terms of a and b). A broadcast input has stride 0 along the broadcast axes.
// bindings: 0 a (read); 1 b (read); 2 y (storage, f32[n]);
//           3 params { n, rank, same_shape, _, out_shape[8], a_strides[8], b_strides[8] }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "math.wgsl"

struct Params {
  n: u32,
  rank: u32,
  same_shape: u32, // 1: a, b and y have one shape, no index arithmetic needed
  _pad: u32,
  out_shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> a_in: array<f32>;
@group(0) @binding(1) var<storage, read> b_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

fn op(a: f32, b: f32) -> f32 {
  return {{EXPR}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  if (params.same_shape == 1u) {
    y[i] = op(a_in[i], b_in[i]);
    return;
  }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let size = params.out_shape[d / 4][d % 4];
    let coord = rem % size;
    rem = rem / size;
    ia += coord * params.a_strides[d / 4][d % 4];
    ib += coord * params.b_strides[d / 4][d % 4];
  }
  y[i] = op(a_in[ia], b_in[ib]);
}

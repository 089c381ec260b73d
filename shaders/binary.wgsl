// Element-wise binary op with NumPy broadcasting: y[i] = op(a[ia], b[ib]), the op pasted in as
// {{EXPR}} (in terms of a and b). A broadcast input has stride 0 along the broadcast axes.
// Each pipeline is specialised: the SAME snippet is true when a, b and y share one shape (no index
// arithmetic at all); otherwise the INDEX snippet is the index arithmetic written out for the rank of
// the (collapsed) output, one division per axis but the outermost (src/ops/index_codegen.ts).
// On SwiftShader the generic loop cost 3× a unary op even on equal shapes.
// Entry points: main, one element per invocation; main_vec4, equal shapes with n a multiple of 4,
// four elements per invocation as vec4 loads and stores (grid: grid1d(n/4, 256)).
// bindings: 0 a (read); 1 b (read); 2 y (storage, f32[n]);
//           3 params { n, rank, same_shape, _, out_shape[8], a_strides[8], b_strides[8] }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "math.wgsl"

const SAME_SHAPE: bool = {{SAME}};

struct Params {
  n: u32,
  rank: u32,
  same_shape: u32, // unused: SAME_SHAPE
  _pad: u32,
  out_shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> a_in: array<f32>;
@group(0) @binding(1) var<storage, read> b_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(0) var<storage, read> a_in4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b_in4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;
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
  if (SAME_SHAPE) {
    y[i] = op(a_in[i], b_in[i]);
    return;
  }
  var ia = 0u;
  var ib = 0u;
{{INDEX}}
  y[i] = op(a_in[ia], b_in[ib]);
}

@compute @workgroup_size(256)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n / 4u) {
    let a = a_in4[i];
    let b = b_in4[i];
    y4[i] = vec4<f32>(op(a.x, b.x), op(a.y, b.y), op(a.z, b.z), op(a.w, b.w));
  }
}

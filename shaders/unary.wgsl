// Element-wise unary op: y[i] = op(x[i]), the op pasted in as {{EXPR}} (in terms of x, a, b).
// Two entry points over the same bindings:
//   main:      one element per invocation, any n;            grid: grid1d(n, 256)
//   main_vec4: four per invocation as one vec4 load/store, n a multiple of 4; grid: grid1d(n/4, 256)
//              (3× faster on SwiftShader at 1M elements, where each scalar access is a gather)
// bindings: 0 x (read, f32[n]); 1 y (storage, f32[n]); 2 params { n: u32, a: f32, b: f32 }
// workgroup 256
#include "common.wgsl"
#include "math.wgsl"

struct Params { n: u32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read> x_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(0) var<storage, read> x_in4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

fn op(x: f32, a: f32, b: f32) -> f32 {
  return {{EXPR}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    y[i] = op(x_in[i], params.a, params.b);
  }
}

@compute @workgroup_size(256)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n / 4u) {
    let x = x_in4[i];
    let a = params.a;
    let b = params.b;
    y4[i] = vec4<f32>(op(x.x, a, b), op(x.y, a, b), op(x.z, a, b), op(x.w, a, b));
  }
}

// Element-wise unary op: y[i] = op(x[i]), the op pasted in as {{EXPR}} (in terms of x, a, b).
// bindings: 0 x (read, f32[n]); 1 y (storage, f32[n]); 2 params { n: u32, a: f32, b: f32 }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "math.wgsl"

struct Params { n: u32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read> x_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
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

// Gradient of an element-wise unary op: dx[i] = rule(v[i], g[i]), the rule pasted in as {{EXPR}}
// in terms of v (the op's saved input or output, whichever the rule needs), g, a, b.
// Entry points main (one element per invocation) and main_vec4 (n a multiple of 4), as unary.wgsl.
// bindings: 0 v (read, f32[n]); 1 g (read, f32[n]); 2 dx (storage, f32[n]); 3 params { n, a, b }
// workgroup 256; grid: grid1d(n, 256), or grid1d(n/4, 256) for main_vec4
#include "common.wgsl"
#include "math.wgsl"

struct Params { n: u32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read> v_in: array<f32>;
@group(0) @binding(1) var<storage, read> g_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(0) var<storage, read> v_in4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> g_in4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dx4: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

fn rule(v: f32, g: f32, a: f32, b: f32) -> f32 {
  return {{EXPR}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    dx[i] = rule(v_in[i], g_in[i], params.a, params.b);
  }
}

@compute @workgroup_size(256)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n / 4u) {
    let v = v_in4[i];
    let g = g_in4[i];
    let a = params.a;
    let b = params.b;
    dx4[i] = vec4<f32>(rule(v.x, g.x, a, b), rule(v.y, g.y, a, b), rule(v.z, g.z, a, b), rule(v.w, g.w, a, b));
  }
}

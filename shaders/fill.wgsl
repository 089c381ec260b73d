// fill: y[i] = value.
// bindings: 0 y (storage, f32[n]); 1 params { n: u32, value: f32 }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params { n: u32, value: f32 }

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    y[i] = params.value;
  }
}

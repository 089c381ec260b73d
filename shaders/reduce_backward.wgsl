// Gradient of a max/min reduction: dx[outer, idx[o], inner] = g[o]; dx is zero elsewhere
// (zero-filled before this runs).
// bindings: 0 g (read, f32[outputs]); 1 idx (read, u32[outputs]); 2 dx (storage);
//           3 params { outputs, r, inner }
// workgroup 256; grid: grid1d(outputs, 256)
#include "common.wgsl"

struct Params { outputs: u32, r: u32, inner: u32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flat_index(gid, nwg, 256u);
  if (o >= params.outputs) {
    return;
  }
  let outer = o / params.inner;
  let inner = o % params.inner;
  dx[(outer * params.r + idx[o]) * params.inner + inner] = g[o];
}

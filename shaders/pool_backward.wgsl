// Gradient of pool.wgsl: each x element takes g of its window's output, over 4 (AVERAGE), or
// all of it when it is the window's first maximum; the dropped odd row or column gets 0.
// bindings: 0 x (read, the forward's input); 1 g (read, [N, C, H/2, W/2]); 2 dx (storage, x's
//           shape); 3 params { inputs, H, W }
// workgroup 256, one invocation per element of x; grid: grid1d(inputs, 256)
#include "common.wgsl"

override AVERAGE: bool = true;

struct Params { inputs: u32, H: u32, W: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

#include "pool_window.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.inputs) {
    return;
  }
  let plane = i / (params.H * params.W);
  let h = (i / params.W) % params.H;
  let w = i % params.W;
  let ho = params.H / 2u;
  let wo = params.W / 2u;
  if (h >= 2u * ho || w >= 2u * wo) {
    dx[i] = 0.0; // an odd last row or column, which the forward dropped
    return;
  }
  let o = (plane * ho + h / 2u) * wo + w / 2u;
  if (AVERAGE) {
    dx[i] = g[o] * 0.25;
  } else {
    let tap = (h % 2u) * 2u + w % 2u;
    dx[i] = select(0.0, g[o], first_maximum(window_taps(o)) == tap);
  }
}

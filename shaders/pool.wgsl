// 2×2 pooling, stride 2, of x [N, C, H, W] → y [N, C, H/2, W/2] (floor: an odd last row or column
// is dropped, as PyTorch). AVERAGE: the mean of the window; else the max, the first maximum in
// row-major window order winning ties (pool_backward.wgsl routes the gradient to it).
// bindings: 0 x (read); 1 y (storage); 2 params { outputs, H, W }
// workgroup 256, one invocation per output; grid: grid1d(outputs, 256)
#include "common.wgsl"

override AVERAGE: bool = true;

struct Params { outputs: u32, H: u32, W: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

#include "pool_window.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flat_index(gid, nwg, 256u);
  if (o >= params.outputs) {
    return;
  }
  let taps = window_taps(o);
  if (AVERAGE) {
    y[o] = (x[taps[0]] + x[taps[1]] + x[taps[2]] + x[taps[3]]) * 0.25;
  } else {
    y[o] = x[taps[first_maximum(taps)]];
  }
}

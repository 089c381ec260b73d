// Sobel gradients of a batch of images: x [B, H, W] -> y [B, 2, H, W] (channel 0 = d/dx along
// columns with [[-1,0,1],[-2,0,2],[-1,0,1]], channel 1 = d/dy with its transpose), applied as
// cross-correlation, times `scale` (1, or 1/8 for kornia's normalised kernel).
// bindings: 0 x (read); 1 y (storage); 2 params { B, H, W, mode, scale } (mode: see border.wgsl)
// workgroup 256, one invocation per pixel of x; grid: grid1d(B·H·W, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { B: u32, H: u32, W: u32, mode: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

// Kernel weights for tap (dy, dx) in -1..1: the x kernel is smoothing_weight(dy)·diff(dx).
fn smoothing_weight(d: i32) -> f32 {
  return select(1.0, 2.0, d == 0);
}

fn pixel(base: u32, r: i32, c: i32) -> f32 {
  let rr = border_index(r, i32(params.H), params.mode);
  let cc = border_index(c, i32(params.W), params.mode);
  if (rr < 0 || cc < 0) {
    return 0.0;
  }
  return x[base + u32(rr) * params.W + u32(cc)];
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let plane = params.H * params.W;
  if (i >= params.B * plane) {
    return;
  }
  let b = i / plane;
  let r = i32((i % plane) / params.W);
  let c = i32(i % params.W);
  let base = b * plane;
  var gx = 0.0;
  var gy = 0.0;
  for (var d = -1; d <= 1; d++) {
    gx += smoothing_weight(d) * (pixel(base, r + d, c + 1) - pixel(base, r + d, c - 1));
    gy += smoothing_weight(d) * (pixel(base, r + 1, c + d) - pixel(base, r - 1, c + d));
  }
  let out = b * 2u * plane + (i % plane);
  y[out] = gx * params.scale;
  y[out + plane] = gy * params.scale;
}

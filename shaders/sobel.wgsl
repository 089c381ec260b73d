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

// x at an already border-resolved (row, column); -1 is zero padding.
fn pixel(base: u32, r: i32, c: i32) -> f32 {
  if (r < 0 || c < 0) {
    return 0.0;
  }
  return x[base + u32(r) * params.W + u32(c)];
}

// The 3×3 neighbourhood's rows r0 r1 r2 and columns c0 c1 c2 are resolved through the border once
// per pixel (not once per tap): border_index's branches and modulos cost far more than the loads
// on a CPU adapter, and interior pixels skip it altogether.
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
  let h = i32(params.H);
  let w = i32(params.W);
  var r0 = r - 1;
  var r2 = r + 1;
  var c0 = c - 1;
  var c2 = c + 1;
  if (r0 < 0 || r2 >= h || c0 < 0 || c2 >= w) {
    r0 = border_index(r0, h, params.mode);
    r2 = border_index(r2, h, params.mode);
    c0 = border_index(c0, w, params.mode);
    c2 = border_index(c2, w, params.mode);
  }
  let p00 = pixel(base, r0, c0);
  let p01 = pixel(base, r0, c);
  let p02 = pixel(base, r0, c2);
  let p10 = pixel(base, r, c0);
  let p12 = pixel(base, r, c2);
  let p20 = pixel(base, r2, c0);
  let p21 = pixel(base, r2, c);
  let p22 = pixel(base, r2, c2);
  let gx = (p02 - p00) + 2.0 * (p12 - p10) + (p22 - p20);
  let gy = (p20 - p00) + 2.0 * (p21 - p01) + (p22 - p02);
  let out = b * 2u * plane + (i % plane);
  y[out] = gx * params.scale;
  y[out + plane] = gy * params.scale;
}

// Sobel gradients of a batch of images: x [B, H, W] -> y [B, 2, H, W] (channel 0 = d/dx along
// columns with [[-1,0,1],[-2,0,2],[-1,0,1]], channel 1 = d/dy with its transpose), applied as
// cross-correlation, times `scale` (1, or 1/8 for kornia's normalised kernel).
// bindings: 0 x (read); 1 y (storage); 2 params { B, H, W, mode, scale } (mode: see border.wgsl)
// workgroup 256, one invocation per pixel of x; grid: grid1d(B·H·W, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { B: u32, H: u32, W: u32, mode: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> sobel_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

#include "sobel_stencil.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let plane = params.H * params.W;
  if (i >= params.B * plane) {
    return;
  }
  let b = i / plane;
  let g = sobel_at(b * plane, i32((i % plane) / params.W), i32(i % params.W)) * params.scale;
  let out = b * 2u * plane + (i % plane);
  y[out] = g.x;
  y[out + plane] = g.y;
}

// Gradient of sobel.wgsl: dx[p] = scale · Σ over outputs q and taps t with border_index(q + t) = p
// of weight(t)·g[q], gathered by sobel_adjoint (sobel_adjoint.wgsl).
// bindings: 0 g (read, [B, 2, H, W]); 1 dx (storage, [B, H, W]); 2 params { B, H, W, mode, scale }
// workgroup 256, one invocation per pixel of dx; grid: grid1d(B·H·W, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { B: u32, H: u32, W: u32, mode: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> sobel_grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

#include "sobel_adjoint.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let plane = params.H * params.W;
  if (i >= params.B * plane) {
    return;
  }
  let b = i / plane;
  dx[i] = sobel_adjoint(b * 2u * plane, i32((i % plane) / params.W), i32(i % params.W)) * params.scale;
}

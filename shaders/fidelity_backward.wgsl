// Gradient of fidelity.wgsl: dF[p] = g · (saved[2][p] + scale · Sobel adjoint of saved[0..1] at p),
// the intensity terms' derivative plus the gradient terms' one taken back through the Sobel
// stencil (sobel_adjoint.wgsl). The loss is a function of F alone, so its derivatives, kept by
// the forward pass, only need scaling by the upstream g.
// bindings: 0 g (read, the scalar upstream gradient); 1 saved (read, [3, H, W]);
//           2 dF (storage, [H, W]); 3 params (the forward's)
// workgroup 256, one invocation per pixel; grid: grid1d(H·W, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { H: u32, W: u32, mode: u32, partials: u32, scale: f32, a1: f32, a2: f32, b1: f32, b2: f32, sparsity: f32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> sobel_grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> df: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

#include "sobel_adjoint.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = flat_index(gid, nwg, 256u);
  let n = params.H * params.W;
  if (p >= n) {
    return;
  }
  let through_gradient = sobel_adjoint(0u, i32(p / params.W), i32(p % params.W)) * params.scale;
  df[p] = g[0] * (sobel_grad[p + 2u * n] + through_gradient);
}

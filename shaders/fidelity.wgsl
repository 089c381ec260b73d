// The fidelity loss of image fusion (src/ops/fidelity.ts), forward: partial sums of
//   Σ_k a_k·(F − T_k)² + Σ_j b_j·|∇F − G_j|² + λ·(|∂x F| + |∂y F|)
// over pixels p = c, c + P, c + 2P, ... (P = partials), read coalesced; the engine's sum adds the
// partials. a, b and λ arrive already divided by the number of terms of their means.
// With SAVE it also keeps, per pixel, the loss's derivatives for the backward pass:
//   saved[0..1] = dL/d∇F (x and y planes), saved[2] = dL/dF through the intensity terms.
// bindings: 0 F (read, [H, W]); 1, 2 intensity targets T_1, T_2 (read, [H, W]);
//           3, 4 gradient targets G_1, G_2 (read, [2, H, W]); unused targets bind F and are not read;
//           5 partials (storage, [P]); 6 saved (storage, [3, H, W]; only with SAVE);
//           7 params
// grid: grid1d(P, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { H: u32, W: u32, mode: u32, partials: u32, scale: f32, a1: f32, a2: f32, b1: f32, b2: f32, sparsity: f32 }

@group(0) @binding(0) var<storage, read> sobel_in: array<f32>;
@group(0) @binding(1) var<storage, read> t1: array<f32>;
@group(0) @binding(2) var<storage, read> t2: array<f32>;
@group(0) @binding(3) var<storage, read> g1: array<f32>;
@group(0) @binding(4) var<storage, read> g2: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;
@group(0) @binding(6) var<storage, read_write> saved: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

#include "sobel_stencil.wgsl"

override INTENSITY_TARGETS: u32 = 2u;
override GRADIENT_TARGETS: u32 = 2u;
override SAVE: bool = true;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = flat_index(gid, nwg, 256u);
  if (c >= params.partials) {
    return;
  }
  let n = params.H * params.W;
  var acc = 0.0;
  for (var p = c; p < n; p += params.partials) {
    let f = sobel_in[p];
    var slope = 0.0;
    if (INTENSITY_TARGETS >= 1u) {
      let d = f - t1[p];
      acc += params.a1 * d * d;
      slope += 2.0 * params.a1 * d;
    }
    if (INTENSITY_TARGETS >= 2u) {
      let d = f - t2[p];
      acc += params.a2 * d * d;
      slope += 2.0 * params.a2 * d;
    }
    let grad = sobel_at(0u, i32(p / params.W), i32(p % params.W)) * params.scale;
    acc += params.sparsity * (abs(grad.x) + abs(grad.y));
    // sign(0) = 0: no pull where ∇F is exactly 0, as l1's
    var slope_grad = params.sparsity * sign(grad);
    if (GRADIENT_TARGETS >= 1u) {
      let d = grad - vec2<f32>(g1[p], g1[p + n]);
      acc += params.b1 * dot(d, d);
      slope_grad += 2.0 * params.b1 * d;
    }
    if (GRADIENT_TARGETS >= 2u) {
      let d = grad - vec2<f32>(g2[p], g2[p + n]);
      acc += params.b2 * dot(d, d);
      slope_grad += 2.0 * params.b2 * d;
    }
    if (SAVE) {
      saved[p] = slope_grad.x;
      saved[p + n] = slope_grad.y;
      saved[p + 2u * n] = slope;
    }
  }
  partials[c] = acc;
}

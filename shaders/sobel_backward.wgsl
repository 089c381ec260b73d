// Gradient of sobel.wgsl: dx[p] = Σ over outputs q and taps t with border_index(q + t) = p of
// weight(t)·g[q]. With a 3×3 stencil, only outputs within one pixel of p can read p (also
// through a mirrored or clamped border), so each invocation gathers from that 3×3 neighbourhood:
// no atomics, no scatter.
// bindings: 0 g (read, [B, 2, H, W]); 1 dx (storage, [B, H, W]); 2 params { B, H, W, mode, scale }
// workgroup 256, one invocation per pixel of dx; grid: grid1d(B·H·W, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { B: u32, H: u32, W: u32, mode: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

// Weights of tap (ty, tx) of the x and y kernels.
fn weight_x(ty: i32, tx: i32) -> f32 {
  return f32(tx) * select(1.0, 2.0, ty == 0);
}

fn weight_y(ty: i32, tx: i32) -> f32 {
  return f32(ty) * select(1.0, 2.0, tx == 0);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let plane = params.H * params.W;
  if (i >= params.B * plane) {
    return;
  }
  let b = i / plane;
  let pr = i32((i % plane) / params.W);
  let pc = i32(i % params.W);
  let h = i32(params.H);
  let w = i32(params.W);
  let gbase = b * 2u * plane;
  if (pr >= 2 && pr < h - 2 && pc >= 2 && pc < w - 2) {
    // Away from the border no tap is redirected: the adjoint is the flipped stencil,
    // dx[p] = Σ_t weight(t)·g[p − t], without a single border_index call.
    let W = params.W;
    let gx = gbase + i % plane;
    let gy = gx + plane;
    let ddx = (g[gx - W + 1u] - g[gx - W - 1u]) + 2.0 * (g[gx + 1u] - g[gx - 1u]) + (g[gx + W + 1u] - g[gx + W - 1u]);
    let ddy = (g[gy + W - 1u] - g[gy - W - 1u]) + 2.0 * (g[gy + W] - g[gy - W]) + (g[gy + W + 1u] - g[gy - W + 1u]);
    dx[i] = -(ddx + ddy) * params.scale;
    return;
  }
  var acc = 0.0;
  for (var qr = max(pr - 1, 0); qr <= min(pr + 1, h - 1); qr++) {
    for (var qc = max(pc - 1, 0); qc <= min(pc + 1, w - 1); qc++) {
      let q = u32(qr) * params.W + u32(qc);
      for (var ty = -1; ty <= 1; ty++) {
        if (border_index(qr + ty, h, params.mode) != pr) {
          continue;
        }
        for (var tx = -1; tx <= 1; tx++) {
          if (border_index(qc + tx, w, params.mode) != pc) {
            continue;
          }
          acc += weight_x(ty, tx) * g[gbase + q] + weight_y(ty, tx) * g[gbase + plane + q];
        }
      }
    }
  }
  dx[i] = acc * params.scale;
}

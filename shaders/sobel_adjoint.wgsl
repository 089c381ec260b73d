// The adjoint of sobel_at (sobel_stencil.wgsl), shared by sobel_backward.wgsl and
// fidelity_backward.wgsl. The including shader declares `sobel_grad: array<f32>`, gradients with
// respect to the stencil's output (an x plane then a y plane of H×W each), and a uniform `params`
// with fields H, W and mode, and includes border.wgsl before this file.
//
// adjoint[p] = Σ over outputs q and taps t with border_index(q + t) = p of weight(t)·grad[q].
// With a 3×3 stencil only outputs within one pixel of p can read p (also through a mirrored or
// clamped border), so each invocation gathers from that 3×3 neighbourhood: no atomics, no scatter.

// Weights of tap (ty, tx) of the x and y kernels.
fn sobel_weight_x(ty: i32, tx: i32) -> f32 {
  return f32(tx) * select(1.0, 2.0, ty == 0);
}

fn sobel_weight_y(ty: i32, tx: i32) -> f32 {
  return f32(ty) * select(1.0, 2.0, tx == 0);
}

// Unscaled adjoint at pixel (pr, pc), gathering from the gradient planes that start at `gbase`.
fn sobel_adjoint(gbase: u32, pr: i32, pc: i32) -> f32 {
  let h = i32(params.H);
  let w = i32(params.W);
  let plane = params.H * params.W;
  if (pr >= 2 && pr < h - 2 && pc >= 2 && pc < w - 2) {
    // Away from the border no tap is redirected: the adjoint is the flipped stencil,
    // Σ_t weight(t)·grad[p − t], without a single border_index call.
    let W = params.W;
    let gx = gbase + u32(pr) * W + u32(pc);
    let gy = gx + plane;
    let ddx = (sobel_grad[gx - W + 1u] - sobel_grad[gx - W - 1u]) + 2.0 * (sobel_grad[gx + 1u] - sobel_grad[gx - 1u])
      + (sobel_grad[gx + W + 1u] - sobel_grad[gx + W - 1u]);
    let ddy = (sobel_grad[gy + W - 1u] - sobel_grad[gy - W - 1u]) + 2.0 * (sobel_grad[gy + W] - sobel_grad[gy - W])
      + (sobel_grad[gy + W + 1u] - sobel_grad[gy - W + 1u]);
    return -(ddx + ddy);
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
          acc += sobel_weight_x(ty, tx) * sobel_grad[gbase + q] + sobel_weight_y(ty, tx) * sobel_grad[gbase + plane + q];
        }
      }
    }
  }
  return acc;
}

// A 2×2 pooling window (pool.wgsl, pool_backward.wgsl): the including kernel declares `x`
// [N, C, H, W] and a uniform `params` with H and W.

// The flat indices of output o's window in x, row-major: top-left, top-right, bottom-left, bottom-right.
fn window_taps(o: u32) -> array<u32, 4> {
  let wo = params.W / 2u;
  let per_plane = (params.H / 2u) * wo;
  let plane = o / per_plane;
  let r = o % per_plane;
  let top_left = (plane * params.H + 2u * (r / wo)) * params.W + 2u * (r % wo);
  return array<u32, 4>(top_left, top_left + 1u, top_left + params.W, top_left + params.W + 1u);
}

// Which tap holds the first maximum (a later tap wins only by being strictly larger).
fn first_maximum(taps: array<u32, 4>) -> u32 {
  var best = 0u;
  for (var k = 1u; k < 4u; k++) {
    if (x[taps[k]] > x[taps[best]]) {
      best = k;
    }
  }
  return best;
}

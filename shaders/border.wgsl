// Where an out-of-range index i on an axis of length n reads from (shared by the stencil
// kernels; the float64 twin is src/reference/border.ts). Returns -1 for zero padding.
//   mode 0 zero:      0 0 | a b c d | 0 0
//   mode 1 replicate: a a | a b c d | d d
//   mode 2 reflect:   c b | a b c d | c b   (mirror excluding the edge: PyTorch, kornia)
//   mode 3 symmetric: b a | a b c d | d c   (mirror including the edge: scipy.ndimage 'reflect')
fn positive_mod(a: i32, m: i32) -> i32 {
  return ((a % m) + m) % m;
}

fn border_index(i: i32, n: i32, mode: u32) -> i32 {
  if (i >= 0 && i < n) {
    return i;
  }
  if (mode == 0u) {
    return -1;
  }
  if (mode == 1u || (mode == 2u && n == 1)) {
    return clamp(i, 0, n - 1);
  }
  if (mode == 2u) {
    let period = 2 * (n - 1);
    let j = positive_mod(i, period);
    return select(period - j, j, j < n);
  }
  let period = 2 * n;
  let j = positive_mod(i, period);
  return select(period - 1 - j, j, j < n);
}

/**
 * Where an out-of-range index i on an axis of length n reads from, for padding and for
 * stencils (pad, sobel). Returns an index in [0, n), or −1 for 'zero' (reads 0).
 *   zero:      … 0 0 | a b c d | 0 0 …
 *   replicate: … a a | a b c d | d d …   (clamp to the edge)
 *   reflect:   … c b | a b c d | c b …   (mirror excluding the edge: PyTorch ReflectionPad, kornia)
 *   symmetric: … b a | a b c d | d c …   (mirror including the edge: scipy.ndimage 'reflect')
 * Reflect and symmetric repeat periodically for any i. With n = 1, reflect has no pixel to
 * mirror to and degenerates to replicate.
 */
export type BorderMode = 'zero' | 'replicate' | 'reflect' | 'symmetric';

const mod = (a: number, m: number): number => ((a % m) + m) % m;

export function borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  if (n === 0) throw new Error('cannot read outside an empty axis');
  switch (mode) {
    case 'zero':
      return -1;
    case 'replicate':
      return i < 0 ? 0 : n - 1;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1); // a b c d c b | a b c d …
      const j = mod(i, period);
      return j < n ? j : period - j;
    }
    case 'symmetric': {
      const period = 2 * n; // a b c d d c b a | a …
      const j = mod(i, period);
      return j < n ? j : period - 1 - j;
    }
  }
}

import type { GreyImage } from './image.ts';
import { assertSameSize, pixels } from './image.ts';

/**
 * Pearson correlation of two equal-length pixel arrays (MATLAB corr2):
 * sum (a - mean a)(b - mean b) / sqrt(sum (a - mean a)^2 * sum (b - mean b)^2).
 * Convention: if either side is constant the correlation is undefined (0/0); we return 0
 * ("no shared variation") so that SCD stays finite when F equals a source (F - source = 0).
 */
export function correlationOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return 0;
  // Clamp: rounding can push |r| a hair above 1 for (anti)identical inputs.
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

export function correlation(a: GreyImage, b: GreyImage): number {
  assertSameSize(a, b);
  return correlationOf(pixels(a), pixels(b));
}

/** CC metric: (corr(IR, F) + corr(VIS, F)) / 2, as the Python evaluators (Tang et al.). Range [-1, 1]. */
export function fusionCorrelation(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return (correlation(ir, fused) + correlation(vis, fused)) / 2;
}

/**
 * SCD: sum of the correlations of differences (Aslantas & Bendes 2015):
 * corr(F - VIS, IR) + corr(F - IR, VIS). Range [-2, 2]; F = IR + VIS gives 2.
 */
export function sumOfCorrelationsOfDifferences(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  assertSameSize(ir, fused);
  assertSameSize(vis, fused);
  const a = pixels(ir), b = pixels(vis), f = pixels(fused);
  const fMinusB = new Float64Array(f.length);
  const fMinusA = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) { fMinusB[i] = f[i] - b[i]; fMinusA[i] = f[i] - a[i]; }
  return correlationOf(fMinusB, a) + correlationOf(fMinusA, b);
}

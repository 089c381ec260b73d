import type { GreyImage } from './image.ts';
import { pixels } from './image.ts';

/**
 * SF: spatial frequency (Eskicioglu & Fisher 1995), as VIFB metricsSpatial_frequency.m:
 * RF = sum over rows of (F(i,j) - F(i,j-1))^2 / (M N), CF likewise down columns, SF = sqrt(RF + CF).
 * Both sums are divided by the full M N (not by the number of differences), as VIFB does.
 */
export function spatialFrequency(fused: GreyImage): number {
  const p = pixels(fused);
  const { width: w, height: h } = fused;
  let rf = 0;
  let cf = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = p[y * w + x];
      if (x > 0) rf += (v - p[y * w + x - 1]) ** 2;
      if (y > 0) cf += (v - p[(y - 1) * w + x]) ** 2;
    }
  }
  return Math.sqrt(rf / (w * h) + cf / (w * h));
}

/** MATLAB gradient() along one line: central differences inside, one-sided at both ends, 0 if n = 1. */
function lineGradient(get: (k: number) => number, n: number, k: number): number {
  if (n < 2) return 0;
  if (k === 0) return get(1) - get(0);
  if (k === n - 1) return get(n - 1) - get(n - 2);
  return (get(k + 1) - get(k - 1)) / 2;
}

/**
 * AG: average gradient (Cui et al. 2015), as VIFB metricsAvg_gradient.m: [gx, gy] = MATLAB
 * gradient(F) (central differences, one-sided at the borders), then
 * sum over all M N pixels of sqrt((gx^2 + gy^2) / 2), divided by (M - 1)(N - 1) as VIFB does.
 * (The Python evaluators divide by M N instead: larger by a factor MN/((M-1)(N-1)), ~0.5% here.)
 * A one-pixel-wide image has no gradient to average: AG = 0.
 */
export function averageGradient(fused: GreyImage): number {
  const p = pixels(fused);
  const { width: w, height: h } = fused;
  if (w < 2 || h < 2) return 0;
  let s = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = lineGradient((k) => p[y * w + k], w, x);
      const gy = lineGradient((k) => p[k * w + x], h, y);
      s += Math.sqrt((gx * gx + gy * gy) / 2);
    }
  }
  return s / ((w - 1) * (h - 1));
}

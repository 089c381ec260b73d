import type { GreyImage } from './image.ts';
import { assertSameSize } from './image.ts';
import { entropyBits, histogram, jointHistogram } from './histogram.ts';

/**
 * Mutual information of two images in bits: H(A) + H(B) - H(A,B) from 256-bin marginal and
 * 256x256 joint histograms of the grey levels (log2, empty bins skipped). MI(x, x) = EN(x).
 * Differences from VIFB metricsMutinf.m, on purpose: VIFB uses the natural log (divide its values
 * by ln 2 = 0.693 to compare) and first min-max stretches each image to [0, 255]; for 8-bit
 * images that stretch is a one-to-one relabelling of the grey levels, which leaves MI unchanged.
 */
export function mutualInformation(a: GreyImage, b: GreyImage): number {
  assertSameSize(a, b);
  return entropyBits(histogram(a)) + entropyBits(histogram(b)) - entropyBits(jointHistogram(a, b));
}

/** MI metric: MI(IR, F) + MI(VIS, F) (a sum, as VIFB and the papers report). MI(x, x, x) = 2 EN(x). */
export function fusionMutualInformation(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return mutualInformation(ir, fused) + mutualInformation(vis, fused);
}

/**
 * "Cross entropy" of a source against the fused image as VIFB metricsCross_entropy.m (after
 * Bulanon et al. 2009) defines it: sum_k P_src(k) log2(P_src(k) / P_F(k)) over the 256 grey
 * levels, i.e. the Kullback-Leibler divergence D(P_src || P_F). Zero-bin convention (VIFB's):
 * a level contributes only when BOTH P_src(k) > 0 and P_F(k) > 0, so the value is always finite.
 * Identical histograms give 0. Lower is better.
 */
export function crossEntropy(source: GreyImage, fused: GreyImage): number {
  assertSameSize(source, fused);
  const p = histogram(source);
  const q = histogram(fused);
  let s = 0;
  for (let k = 0; k < 256; k++) {
    if (p[k] > 0 && q[k] > 0) s += p[k] * Math.log2(p[k] / q[k]);
  }
  return s;
}

/** CE metric: (CE(IR, F) + CE(VIS, F)) / 2, as VIFB. */
export function fusionCrossEntropy(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return (crossEntropy(ir, fused) + crossEntropy(vis, fused)) / 2;
}

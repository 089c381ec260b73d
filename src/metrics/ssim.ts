import type { GreyImage } from './image.ts';
import { assertSameSize, pixels } from './image.ts';
import type { Plane } from './filter.ts';
import { average2x2, gaussian1d, localMoments } from './filter.ts';

const K1 = 0.01, K2 = 0.03, L = 255;
const C1 = (K1 * L) ** 2, C2 = (K2 * L) ** 2;
const WINDOW = 11, SIGMA = 1.5;

/** Standard MS-SSIM scale weights (Wang, Simoncelli & Bovik 2003), finest scale first. */
export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;

function plane(img: GreyImage): Plane {
  return { width: img.width, height: img.height, data: pixels(img) };
}

/**
 * Mean SSIM and mean contrast-structure term cs over the SSIM map of two planes.
 * Window: 11x11 Gaussian, sigma 1.5 (fspecial), 'valid' positions only (no padding: the map is
 * (H-10) x (W-10)), as Wang's ssim_index.m and VIFB metricsSsim.m. Images smaller than 11 pixels
 * on a side use the largest odd window that fits (sigma kept at 1.5), so tiny images still get
 * a value; this case never arises in the reference codes, which refuse such images.
 */
export function ssimParts(a: Plane, b: Plane): { ssim: number; cs: number } {
  let size = Math.min(WINDOW, a.width, a.height);
  if (size % 2 === 0) size -= 1;
  const m = localMoments(a, b, gaussian1d(size, SIGMA));
  let ssim = 0, cs = 0;
  const n = m.mu1.length;
  for (let i = 0; i < n; i++) {
    const mu1 = m.mu1[i], mu2 = m.mu2[i];
    const c = (2 * m.s12[i] + C2) / (m.s11[i] + m.s22[i] + C2);
    cs += c;
    ssim += ((2 * mu1 * mu2 + C1) / (mu1 * mu1 + mu2 * mu2 + C1)) * c;
  }
  return { ssim: ssim / n, cs: cs / n };
}

/** SSIM of two images (Wang et al. 2004): K1 0.01, K2 0.03, L 255, window as in ssimParts. */
export function ssim(a: GreyImage, b: GreyImage): number {
  assertSameSize(a, b);
  return ssimParts(plane(a), plane(b)).ssim;
}

/**
 * MS-SSIM (Wang et al. 2003): prod_{j<M} cs_j^{w_j} * ssim_M^{w_M} with the standard weights,
 * scales made by 2x2 average pooling (odd rows/columns dropped). A scale is used only while both
 * sides are still >= 11 pixels; with fewer than 5 scales (images under 176 px on a side) the
 * weights of the scales used are renormalised to sum 1, so MS-SSIM(x, x) = 1 still holds and a
 * one-scale MS-SSIM is plain SSIM. Negative cs / ssim values are clamped to 0 before the
 * fractional powers (as pytorch_msssim does), which would otherwise give NaN.
 */
export function msSsim(a: GreyImage, b: GreyImage): number {
  assertSameSize(a, b);
  let scales = 1;
  while (scales < MS_SSIM_WEIGHTS.length && (Math.min(a.width, a.height) >> scales) >= WINDOW) scales++;
  const weights = MS_SSIM_WEIGHTS.slice(0, scales);
  const total = weights.reduce((s, w) => s + w, 0);
  let x = plane(a), y = plane(b);
  let result = 1;
  for (let j = 0; j < scales; j++) {
    if (j > 0) { x = average2x2(x); y = average2x2(y); }
    const parts = ssimParts(x, y);
    const v = j === scales - 1 ? parts.ssim : parts.cs;
    result *= Math.max(0, v) ** (weights[j] / total);
  }
  return result;
}

/** SSIM metric: (SSIM(IR, F) + SSIM(VIS, F)) / 2. VIFB reports the SUM (range 0..2): halve VIFB values to compare. */
export function fusionSsim(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return (ssim(ir, fused) + ssim(vis, fused)) / 2;
}

/** MS-SSIM metric: (MS-SSIM(IR, F) + MS-SSIM(VIS, F)) / 2. */
export function fusionMsSsim(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return (msSsim(ir, fused) + msSsim(vis, fused)) / 2;
}

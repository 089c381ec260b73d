import type { GreyImage } from './image.ts';
import { assertSameSize, pixels } from './image.ts';

/** Mean squared error, sum (a - b)^2 / (M N), in 8-bit units squared. */
export function meanSquaredError(a: GreyImage, b: GreyImage): number {
  assertSameSize(a, b);
  const pa = pixels(a), pb = pixels(b);
  let s = 0;
  for (let i = 0; i < pa.length; i++) s += (pa[i] - pb[i]) ** 2;
  return s / pa.length;
}

/**
 * The fusion convention shared by PSNR and RMSE: MSE = (MSE(IR, F) + MSE(VIS, F)) / 2.
 * VIFB's metricsPsnr.m / metricsRmse.m average the two the same way, but their helper named
 * mse returns sqrt(sum d^2) / (M N) rather than the MSE, which is why VIFB tables show
 * PSNR near 60 dB and RMSE near 0.05; we use the textbook MSE, so our values are not on that scale.
 */
export function fusionMeanSquaredError(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return (meanSquaredError(ir, fused) + meanSquaredError(vis, fused)) / 2;
}

/** RMSE = sqrt(fusion MSE), 8-bit units. 0 when F = IR = VIS. Lower is better. */
export function fusionRmse(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return Math.sqrt(fusionMeanSquaredError(ir, vis, fused));
}

/** PSNR = 10 log10(255^2 / fusion MSE) in dB, peak fixed at 255. Infinity when the MSE is 0. */
export function fusionPsnr(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  const mse = fusionMeanSquaredError(ir, vis, fused);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

import type { GreyImage } from './image.ts';
import { pixels } from './image.ts';

export function mean(img: GreyImage): number {
  const p = pixels(img);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i];
  return s / p.length;
}

/**
 * SD: standard deviation of the fused image about its mean, divided by N (population form),
 * as VIFB metricsVariance.m (which despite its name returns sqrt(sum (F - mean)^2 / (M N))).
 */
export function standardDeviation(fused: GreyImage): number {
  const p = pixels(fused);
  const m = mean(fused);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - m) ** 2;
  return Math.sqrt(s / p.length);
}

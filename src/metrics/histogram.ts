import type { GreyImage } from './image.ts';
import { pixels } from './image.ts';

/**
 * The 256-bin grey level of a value: rounded to the nearest integer (what saving a float image
 * as 8-bit does), clamped to [0, 255]. For 8-bit inputs this is the value itself, as in VIFB
 * (which indexes bins by the raw uint8 value; its EN uses floor, which agrees on integers).
 */
export function bin(v: number): number {
  const r = Math.round(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** Normalised 256-bin histogram (probabilities summing to 1). */
export function histogram(img: GreyImage): Float64Array {
  const p = pixels(img);
  const h = new Float64Array(256);
  for (let i = 0; i < p.length; i++) h[bin(p[i])] += 1;
  for (let k = 0; k < 256; k++) h[k] /= p.length;
  return h;
}

/** Normalised 256x256 joint histogram, index a*256 + b. Sizes must already match. */
export function jointHistogram(a: GreyImage, b: GreyImage): Float64Array {
  const pa = pixels(a);
  const pb = pixels(b);
  const h = new Float64Array(256 * 256);
  for (let i = 0; i < pa.length; i++) h[bin(pa[i]) * 256 + bin(pb[i])] += 1;
  for (let k = 0; k < h.length; k++) h[k] /= pa.length;
  return h;
}

/** Shannon entropy in bits of a probability vector; empty bins add nothing (0 log 0 = 0). */
export function entropyBits(p: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) {
    const v = p[k];
    if (v > 0) s -= v * Math.log2(v);
  }
  return s;
}

// Small shared builders for the metric tests (not a test file: the runner only picks *.test.ts).
import type { GreyImage } from '../../src/metrics/index.ts';
import { mulberry32 } from '../../src/random.ts';

export function image(width: number, height: number, f: (x: number, y: number) => number): GreyImage {
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
}

/** Seeded, so the "random" images are the same on every run. */
export const rng = mulberry32;

/** Uniform 8-bit noise (integers 0..255), or reals in [0, 255) when integer is false. */
export function noise(width: number, height: number, seed: number, integer = true): GreyImage {
  const r = rng(seed);
  return image(width, height, () => (integer ? Math.floor(r() * 256) : r() * 255));
}

/** A smooth-plus-noise 8-bit image with real structure (edges, gradients), closer to a photo than noise. */
export function scene(width: number, height: number, seed: number): GreyImage {
  const r = rng(seed);
  return image(width, height, (x, y) => {
    const v = 128 + 60 * Math.sin(x / 7 + seed) * Math.cos(y / 5) + (x > width / 2 ? 40 : -40) + 20 * (r() - 0.5);
    return Math.max(0, Math.min(255, Math.round(v)));
  });
}

export function map(img: GreyImage, f: (v: number, i: number) => number): GreyImage {
  const data = new Float64Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = f(img.data[i], i);
  return { width: img.width, height: img.height, data };
}

/** Pixel (x, y) of an image, for the naive reference implementations written inside tests. */
export function px(img: GreyImage, x: number, y: number): number {
  return img.data[y * img.width + x];
}

export function close(actual: number, expected: number, tol: number, what = ''): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what} expected ${expected} +- ${tol}, got ${actual}`);
  }
}

// SSIM and MS-SSIM against a direct (non-separable, two-pass) windowed computation written here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fusionMsSsim, fusionSsim, msSsim, ssim } from '../../src/metrics/index.ts';
import type { GreyImage } from '../../src/metrics/index.ts';
import { close, image, map, noise, px, rng, scene } from './fixtures.ts';

const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;

/** MATLAB fspecial('gaussian', n, sigma) built in 2-D directly and normalised as a whole. */
function fspecial(n: number, sigma: number): number[][] {
  const c = (n - 1) / 2;
  const k = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) =>
    Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma))));
  const total = k.flat().reduce((s, v) => s + v, 0);
  return k.map((row) => row.map((v) => v / total));
}

/** Mean SSIM and mean cs over all 'valid' window positions, variances as sum w (x - mu)^2. */
function naiveParts(a: GreyImage, b: GreyImage, n: number): { ssim: number; cs: number } {
  const k = fspecial(n, 1.5);
  let ssimSum = 0, csSum = 0, count = 0;
  for (let y0 = 0; y0 + n <= a.height; y0++) {
    for (let x0 = 0; x0 + n <= a.width; x0++) {
      let m1 = 0, m2 = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        m1 += k[i][j] * px(a, x0 + j, y0 + i);
        m2 += k[i][j] * px(b, x0 + j, y0 + i);
      }
      let v1 = 0, v2 = 0, c12 = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        const d1 = px(a, x0 + j, y0 + i) - m1, d2 = px(b, x0 + j, y0 + i) - m2;
        v1 += k[i][j] * d1 * d1; v2 += k[i][j] * d2 * d2; c12 += k[i][j] * d1 * d2;
      }
      const cs = (2 * c12 + C2) / (v1 + v2 + C2);
      csSum += cs;
      ssimSum += ((2 * m1 * m2 + C1) / (m1 * m1 + m2 * m2 + C1)) * cs;
      count++;
    }
  }
  return { ssim: ssimSum / count, cs: csSum / count };
}

function pool(a: GreyImage): GreyImage {
  return image(Math.floor(a.width / 2), Math.floor(a.height / 2), (x, y) =>
    (px(a, 2 * x, 2 * y) + px(a, 2 * x + 1, 2 * y) + px(a, 2 * x, 2 * y + 1) + px(a, 2 * x + 1, 2 * y + 1)) / 4);
}

const W = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

function naiveMsSsim(a: GreyImage, b: GreyImage, scales: number): number {
  const total = W.slice(0, scales).reduce((s, v) => s + v, 0);
  let out = 1;
  for (let j = 0; j < scales; j++) {
    if (j > 0) { a = pool(a); b = pool(b); }
    const p = naiveParts(a, b, 11);
    out *= Math.max(0, j === scales - 1 ? p.ssim : p.cs) ** (W[j] / total);
  }
  return out;
}

test('SSIM(x, x) = 1 and the fusion SSIM of three equal images is 1', () => {
  const x = scene(40, 30, 1);
  close(ssim(x, x), 1, 1e-12, 'SSIM(x,x)');
  close(fusionSsim(x, x, x), 1, 1e-12, 'fusion SSIM');
});

test('SSIM of two constants is the luminance term alone: (2 ab + C1) / (a^2 + b^2 + C1)', () => {
  // Variances and covariance are 0, so cs = C2 / C2 = 1 at every window.
  const v = ssim(image(15, 12, () => 100), image(15, 12, () => 110));
  close(v, (2 * 100 * 110 + C1) / (100 ** 2 + 110 ** 2 + C1), 1e-12, 'SSIM constants');
});

test('SSIM matches the direct 11x11 computation (valid positions only) on related images', () => {
  const r = rng(7);
  const a = scene(30, 24, 2);
  const b = map(a, (v) => Math.min(255, Math.max(0, Math.round(0.8 * v + 30 * r()))));
  close(ssim(a, b), naiveParts(a, b, 11).ssim, 1e-10, 'SSIM vs naive');
  close(ssim(a, b), ssim(b, a), 1e-12, 'symmetric');
  assert.ok(ssim(a, b) < 0.99, 'a distorted copy scores below 1');
});

test('SSIM on an image under 11 px uses the largest odd window that fits (8x9 -> 7x7)', () => {
  const a = noise(8, 9, 3), b = noise(8, 9, 4);
  close(ssim(a, b), naiveParts(a, b, 7).ssim, 1e-10, 'small SSIM');
});

test('fusion SSIM is the MEAN of SSIM(IR, F) and SSIM(VIS, F)', () => {
  const ir = scene(24, 24, 5), vis = noise(24, 24, 6), f = scene(24, 24, 7);
  close(fusionSsim(ir, vis, f), (ssim(ir, f) + ssim(vis, f)) / 2, 1e-15, 'mean');
});

test('MS-SSIM(x, x) = 1 with all 5 scales (180 x 176: coarsest scale 11 x 11)', () => {
  const x = scene(180, 176, 8);
  close(msSsim(x, x), 1, 1e-12, 'MS-SSIM(x,x)');
  close(fusionMsSsim(x, x, x), 1, 1e-12, 'fusion MS-SSIM');
});

test('MS-SSIM matches the direct computation with 5 scales', () => {
  const a = scene(180, 176, 9);
  const r = rng(3);
  const b = map(a, (v) => Math.min(255, Math.max(0, Math.round(v + 40 * (r() - 0.5)))));
  const got = msSsim(a, b);
  close(got, naiveMsSsim(a, b, 5), 1e-10, 'MS-SSIM vs naive');
  assert.ok(got > 0 && got < 1, `MS-SSIM ${got}`);
});

test('MS-SSIM on 40 x 40 uses 2 scales (40, 20; 10 < 11) with weights renormalised', () => {
  const a = scene(40, 40, 10), b = noise(40, 40, 11);
  close(msSsim(a, b), naiveMsSsim(a, b, 2), 1e-10, 'MS-SSIM 2 scales');
  // One scale (under 22 px) is plain SSIM...
  const c = scene(21, 30, 12), d = map(c, (v) => 255 - v / 2);
  const r = rng(5);
  const e = map(c, (v) => v + 30 * r());
  close(msSsim(c, e), ssim(c, e), 1e-12, 'one scale');
  // ...except that a negative SSIM is clamped to 0 (no fractional power of a negative number).
  assert.ok(ssim(c, d) < 0, 'inverted copy has negative SSIM');
  assert.is(msSsim(c, d), 0);
});

test.run();

// Pixel-domain VIF (vifp_mscale) and Han et al.'s VIFF, against a direct re-implementation written here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fusionVif, vif, viff } from '../../src/metrics/index.ts';
import type { GreyImage } from '../../src/metrics/index.ts';
import { close, image, map, noise, px, rng, scene } from './fixtures.ts';

function fspecial(n: number, sigma: number): number[][] {
  const c = (n - 1) / 2;
  const k = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) =>
    Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma))));
  const total = k.flat().reduce((s, v) => s + v, 0);
  return k.map((row) => row.map((v) => v / total));
}

function valid(a: GreyImage, k: number[][]): GreyImage {
  const n = k.length;
  return image(a.width - n + 1, a.height - n + 1, (x, y) => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += k[i][j] * px(a, x + j, y + i);
    return s;
  });
}

/** Per-scale lists of [num, den, g] following vifp_mscale.m line by line, two-pass local moments. */
function naiveMaps(ref: GreyImage, dist: GreyImage, noiseVar: number): [number, number, number][][] {
  const scales: [number, number, number][][] = [];
  for (let scale = 1; scale <= 4; scale++) {
    const n = 2 ** (5 - scale) + 1;
    const k = fspecial(n, n / 5);
    if (scale > 1) {
      const r = valid(ref, k), d = valid(dist, k);
      ref = image(Math.ceil(r.width / 2), Math.ceil(r.height / 2), (x, y) => px(r, 2 * x, 2 * y));
      dist = image(Math.ceil(d.width / 2), Math.ceil(d.height / 2), (x, y) => px(d, 2 * x, 2 * y));
    }
    const list: [number, number, number][] = [];
    for (let y0 = 0; y0 + n <= ref.height; y0++) {
      for (let x0 = 0; x0 + n <= ref.width; x0++) {
        let m1 = 0, m2 = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          m1 += k[i][j] * px(ref, x0 + j, y0 + i); m2 += k[i][j] * px(dist, x0 + j, y0 + i);
        }
        let s1 = 0, s2 = 0, s12 = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          const d1 = px(ref, x0 + j, y0 + i) - m1, d2 = px(dist, x0 + j, y0 + i) - m2;
          s1 += k[i][j] * d1 * d1; s2 += k[i][j] * d2 * d2; s12 += k[i][j] * d1 * d2;
        }
        let g = s12 / (s1 + 1e-10);
        let sv = s2 - g * s12;
        if (s1 < 1e-10) { g = 0; sv = s2; s1 = 0; }
        if (s2 < 1e-10) { g = 0; sv = 0; }
        if (g < 0) { sv = s2; g = 0; }
        if (sv <= 1e-10) sv = 1e-10;
        list.push([Math.log10(1 + (g * g * s1) / (sv + noiseVar)), Math.log10(1 + s1 / noiseVar), g]);
      }
    }
    scales.push(list);
  }
  return scales;
}

function naiveVif(ref: GreyImage, dist: GreyImage): number {
  let num = 0, den = 0;
  for (const list of naiveMaps(ref, dist, 2)) for (const [a, b] of list) { num += a; den += b; }
  return num / den;
}

function naiveViff(a: GreyImage, b: GreyImage, f: GreyImage): number {
  const p = [1, 0, 0.15, 1];
  const m1 = naiveMaps(a, f, 0.005 * 255 * 255), m2 = naiveMaps(b, f, 0.005 * 255 * 255);
  let total = 0;
  for (let s = 0; s < 4; s++) {
    let vid = 0, vind = 0;
    m1[s].forEach((e1, i) => {
      const e2 = m2[s][i];
      const pick = e1[2] < e2[2] ? e1 : e2; // the source with the smaller gain, VIS on ties
      vid += pick[0] + 1e-7; vind += pick[1] + 1e-7;
    });
    total += (p[s] / 2.15) * (vid / vind);
  }
  return total;
}

const r = rng(21);
const ref = scene(72, 68, 1);
const blurredNoisy = map(ref, (v, i) => Math.min(255, Math.max(0, Math.round(0.7 * v + 0.3 * (ref.data[i + 1] ?? v) + 25 * (r() - 0.5)))));

test('VIF(x, x) = 1 per pair; the VIF metric (a sum over the two sources) is 2 for F = IR = VIS', () => {
  close(vif(ref, ref), 1, 1e-9, 'VIF(x,x)');
  close(fusionVif(ref, ref, ref), 2, 1e-9, 'fusion VIF');
});

test('VIF matches the direct vifp_mscale computation (4 scales, sigma_nsq 2)', () => {
  close(vif(ref, blurredNoisy), naiveVif(ref, blurredNoisy), 1e-9, 'VIF vs naive');
  // Unrelated images: many windows with negative gain g, which the reference zeroes.
  const other = noise(72, 68, 5);
  close(vif(ref, other), naiveVif(ref, other), 1e-9, 'VIF vs naive, unrelated');
});

test('VIF: added noise lowers it below 1; a contrast stretch raises it above 1', () => {
  const noisy = map(ref, (v) => v + 40 * (r() - 0.5));
  assert.ok(vif(ref, noisy) < 0.9, `noisy ${vif(ref, noisy)}`);
  const stretched = map(ref, (v) => 1.5 * (v - 128) + 128);
  assert.ok(vif(ref, stretched) > 1.05, `stretched ${vif(ref, stretched)}`);
});

test('VIF of a constant reference is NaN (0/0: nothing to preserve)', () => {
  assert.ok(Number.isNaN(vif(image(70, 70, () => 50), noise(70, 70, 1))));
});

test('VIFF (Han et al.) of F = IR = VIS is 1', () => {
  close(viff(ref, ref, ref), 1, 1e-9, 'VIFF(x,x,x)');
});

test('VIFF matches the direct VIFF_Public computation, including the per-pixel source choice', () => {
  const vis = scene(72, 68, 2);
  const f = map(ref, (v, i) => Math.round((v + vis.data[i]) / 2));
  const got = viff(ref, vis, f);
  close(got, naiveViff(ref, vis, f), 1e-9, 'VIFF vs naive');
  assert.ok(got > 0 && got < 1, `VIFF ${got}`);
});

test('VIFF needs 41 x 41 pixels for its 4 scales: NaN at 40, a number at 41', () => {
  // Scale 4 needs 3 px after the 3x3 prefilter and decimation: 7 at scale 3, 17 at scale 2, 41 at scale 1.
  const a = scene(40, 40, 3), b = scene(41, 41, 3);
  assert.ok(Number.isNaN(viff(a, a, a)), 'NaN at 40');
  close(viff(b, b, b), 1, 1e-9, 'VIFF at 41');
});

test.run();

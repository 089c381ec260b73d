// Qabf (Xydeas-Petrovic) against a direct transcription of VIFB's loops, using true convolution.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { qabf } from '../../src/metrics/index.ts';
import type { GreyImage } from '../../src/metrics/index.ts';
import { close, image, map, noise, scene } from './fixtures.ts';

// The cap of a perfectly preserved edge pixel: Qg(G = 1) * Qa(A = 1) with the standard constants.
const CAP = (0.9994 / (1 + Math.exp(-15 * (1 - 0.5)))) * (0.9879 / (1 + Math.exp(-22 * (1 - 0.8))));

/** MATLAB conv2(X, h, 'same') for a 3x3 h: true convolution (kernel flipped), zeros outside. */
function conv2same(a: GreyImage, h: number[][]): Float64Array {
  const out = new Float64Array(a.width * a.height);
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      let s = 0;
      for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) {
        const yy = y - i, xx = x - j;
        if (yy >= 0 && yy < a.height && xx >= 0 && xx < a.width) s += h[i + 1][j + 1] * a.data[yy * a.width + xx];
      }
      out[y * a.width + x] = s;
    }
  }
  return out;
}

function naiveQabf(A: GreyImage, B: GreyImage, F: GreyImage): number {
  const h1 = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], h3 = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
  const grad = (img: GreyImage) => {
    const sx = conv2same(img, h3), sy = conv2same(img, h1);
    return { g: sx.map((v, i) => Math.sqrt(v * v + sy[i] * sy[i])), a: sx.map((v, i) => (v === 0 ? Math.PI / 2 : Math.atan(sy[i] / v))) };
  };
  const ga = grad(A), gb = grad(B), gf = grad(F);
  const q = (gs: number, as: number, i: number) => {
    const G = gs > gf.g[i] ? gf.g[i] / gs : gs === gf.g[i] ? 1 : gs / gf.g[i];
    const Aa = 1 - Math.abs(as - gf.a[i]) / (Math.PI / 2);
    return (0.9994 / (1 + Math.exp(-15 * (G - 0.5)))) * (0.9879 / (1 + Math.exp(-22 * (Aa - 0.8))));
  };
  let num = 0, den = 0;
  for (let i = 0; i < ga.g.length; i++) {
    num += q(ga.g[i], ga.a[i], i) * ga.g[i] + q(gb.g[i], gb.a[i], i) * gb.g[i];
    den += ga.g[i] + gb.g[i];
  }
  return num / den;
}

test('Qabf(F = IR = VIS) is the sigmoid cap Qg(1) Qa(1) = 0.974794, not 1 (the constants never reach 1)', () => {
  const x = scene(30, 20, 1);
  close(qabf(x, x, x), CAP, 1e-12, 'Qabf(x,x,x)');
  close(CAP, 0.9747936249694976, 1e-15, 'cap value');
});

test('Qabf weights each source by its edge strength: a source with no edges at all does not count', () => {
  // VIS = 0 everywhere has gB = 0 even at the zero-padded border, so Qabf = Q^{AF} alone = CAP.
  const x = scene(30, 20, 2);
  close(qabf(x, image(30, 20, () => 0), x), CAP, 1e-12, 'Qabf one source');
});

test('Qabf: a blank fused image keeps almost no edge information', () => {
  const a = scene(30, 20, 3), b = scene(30, 20, 4);
  const v = qabf(a, b, image(30, 20, () => 0));
  assert.ok(v >= 0 && v < 0.01, `Qabf blank ${v}`);
});

test('Qabf matches a direct transcription of VIFB metricsQabf.m (conv2, atan, zero borders)', () => {
  // Real-valued images, so that equal strengths (where VIFB's code slips) do not occur.
  const a = noise(25, 19, 5, false), b = noise(25, 19, 6, false);
  const f = map(a, (v, i) => 0.6 * v + 0.4 * b.data[i]);
  const got = qabf(a, b, f);
  close(got, naiveQabf(a, b, f), 1e-12, 'Qabf vs naive');
  assert.ok(got > 0 && got < CAP, `Qabf ${got}`);
});

test('Qabf stays in [0, cap] on arbitrary 8-bit images', () => {
  for (let s = 0; s < 4; s++) {
    const v = qabf(noise(20, 20, 40 + s), scene(20, 20, 50 + s), noise(20, 20, 60 + s));
    assert.ok(v >= 0 && v <= CAP, `Qabf ${v}`);
  }
});

test.run();

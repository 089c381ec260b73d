// MI and CE on 256-bin histograms (log2), checked by hand and against a differently written counter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crossEntropy, entropy, fusionCrossEntropy, fusionMutualInformation, mutualInformation,
} from '../../src/metrics/index.ts';
import type { GreyImage } from '../../src/metrics/index.ts';
import { close, image, map, noise, rng } from './fixtures.ts';

/** Reference MI: counts pairs in a Map keyed by "a,b" strings, entropies in nats converted at the end. */
function naiveMi(a: GreyImage, b: GreyImage): number {
  const n = a.data.length;
  const ca = new Map<number, number>(), cb = new Map<number, number>(), cab = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const x = Math.round(a.data[i]), y = Math.round(b.data[i]);
    ca.set(x, (ca.get(x) ?? 0) + 1);
    cb.set(y, (cb.get(y) ?? 0) + 1);
    cab.set(`${x},${y}`, (cab.get(`${x},${y}`) ?? 0) + 1);
  }
  // MI = sum p(x,y) ln(p(x,y) / (p(x) p(y))), the textbook form rather than H(A)+H(B)-H(A,B).
  let mi = 0;
  for (const [key, c] of cab) {
    const [x, y] = key.split(',').map(Number) as [number, number];
    mi += (c / n) * Math.log((c * n) / ((ca.get(x) ?? 0) * (cb.get(y) ?? 0)));
  }
  return mi / Math.LN2;
}

test('MI(x, x) = EN(x); MI metric with IR = VIS = F is 2 EN (sum of the two source terms)', () => {
  const x = noise(40, 30, 1);
  close(mutualInformation(x, x), entropy(x), 1e-12, 'MI(x,x)');
  close(fusionMutualInformation(x, x, x), 2 * entropy(x), 1e-12, 'MI(x,x,x)');
});

test('MI: independent patterns give 0; an inverted copy keeps all the information', () => {
  // Left/right halves vs top/bottom halves: joint uniform over 4 cells, 1 + 1 - 2 = 0.
  const lr = image(4, 4, (x) => (x < 2 ? 0 : 255));
  const tb = image(4, 4, (_x, y) => (y < 2 ? 0 : 255));
  close(mutualInformation(lr, tb), 0, 1e-15, 'MI independent');
  const x = noise(20, 20, 2);
  close(mutualInformation(x, map(x, (v) => 255 - v)), entropy(x), 1e-12, 'MI inverted');
});

test('MI: hand example a = [0,0,255,255], b = [0,0,0,255] is 1 + H(3/4,1/4) - 1.5 = 0.311278 bits', () => {
  const a = { width: 4, height: 1, data: [0, 0, 255, 255] };
  const b = { width: 4, height: 1, data: [0, 0, 0, 255] };
  const hb = -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)); // 0.811278
  // Joint cells (0,0): 1/2, (255,0): 1/4, (255,255): 1/4 -> H = 1.5.
  close(mutualInformation(a, b), 1 + hb - 1.5, 1e-12, 'MI hand');
  close(mutualInformation(a, b), 0.3112781244591328, 1e-12, 'MI hand value');
});

test('MI: agrees with a Map-based textbook computation on correlated noise', () => {
  const r = rng(9);
  const a = noise(64, 48, 4);
  const b = map(a, (v) => Math.min(255, Math.max(0, Math.round(v / 3 + 60 * r()))));
  close(mutualInformation(a, b), naiveMi(a, b), 1e-9, 'MI vs naive');
});

test('CE: identical histograms give 0 (even for different images with the same histogram)', () => {
  const x = noise(16, 16, 5);
  assert.is(crossEntropy(x, x), 0);
  const reversed = { width: 16, height: 16, data: Array.from(x.data).reverse() };
  close(crossEntropy(x, reversed), 0, 1e-15, 'CE same histogram');
  assert.is(fusionCrossEntropy(x, x, x), 0);
});

test('CE: hand example P_src = (1/2, 1/2), P_F = (1/4, 3/4) is 1 - log2(3)/2', () => {
  // 1/2 log2((1/2)/(1/4)) + 1/2 log2((1/2)/(3/4)) = 1/2 + 1/2 (1 - log2 3).
  const src = { width: 4, height: 1, data: [0, 0, 255, 255] };
  const f = { width: 4, height: 1, data: [0, 255, 255, 255] };
  close(crossEntropy(src, f), 1 - Math.log2(3) / 2, 1e-15, 'CE hand');
  // The metric averages the two sources.
  close(fusionCrossEntropy(src, f, f), (1 - Math.log2(3) / 2) / 2, 1e-15, 'CE metric');
});

test('CE zero-bin convention (VIFB): a level absent from F is skipped, so CE stays finite and can be < 0', () => {
  // Source levels 0 and 255 at 1/2 each; F is all 0. Only level 0 has both > 0: 1/2 log2(1/2 / 1) = -1/2.
  // (The true KL divergence would be +Infinity here.)
  const src = { width: 4, height: 1, data: [0, 0, 255, 255] };
  const f = { width: 4, height: 1, data: [0, 0, 0, 0] };
  assert.is(crossEntropy(src, f), -0.5);
});

test.run();

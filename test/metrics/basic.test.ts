// EN, SD, SF, AG, EI: no-reference metrics of the fused image, checked against hand-worked values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { averageGradient, edgeIntensity, entropy, spatialFrequency, standardDeviation } from '../../src/metrics/index.ts';
import { close, image, noise, px } from './fixtures.ts';

const halves = image(8, 4, (x) => (x < 4 ? 0 : 255));
const checker = (n: number) => image(n, n, (x, y) => ((x + y) % 2 ? 255 : 0));

test('EN: half black / half white is exactly 1 bit', () => {
  // p(0) = p(255) = 1/2: -2 * 1/2 * log2(1/2) = 1.
  assert.is(entropy(halves), 1);
});

test('EN: constant is 0; four equal levels are 2 bits; all 256 levels once are 8 bits', () => {
  assert.is(entropy(image(5, 3, () => 77)), 0);
  assert.is(entropy(image(4, 4, (x) => x * 60)), 2);
  assert.is(entropy(image(16, 16, (x, y) => y * 16 + x)), 8);
});

test('EN: non-integer values go to the NEAREST grey level (0.4 -> 0, 0.6 -> 1), so two levels = 1 bit', () => {
  // With floor binning both would land in bin 0 and EN would be 0.
  assert.is(entropy({ width: 2, height: 1, data: [0.4, 0.6] }), 1);
});

test('SD: checkerboard 0/255 is 127.5; [0,0,0,4] is sqrt(3) (divide by N)', () => {
  close(standardDeviation(checker(6)), 127.5, 1e-12, 'SD checker');
  // mean 1, squared deviations 1+1+1+9 = 12, 12/4 = 3.
  close(standardDeviation({ width: 2, height: 2, data: [0, 0, 0, 4] }), Math.sqrt(3), 1e-12, 'SD');
});

test('SF: constant is 0; checkerboard n x n is 255 sqrt(2(n-1)/n); ramp 10x is 10 sqrt((w-1)/w)', () => {
  assert.is(spatialFrequency(image(7, 5, () => 200)), 0);
  // Every one of the n(n-1) horizontal and n(n-1) vertical differences is 255; both sums / n^2.
  close(spatialFrequency(checker(4)), 255 * Math.sqrt(1.5), 1e-9, 'SF checker');
  // Ramp: h(w-1) differences of 10 across, none down: RF = 100 h(w-1)/(wh).
  close(spatialFrequency(image(6, 3, (x) => 10 * x)), 10 * Math.sqrt(5 / 6), 1e-12, 'SF ramp');
});

test('AG: ramp a x on a w x h image is w h (a / sqrt 2) / ((w-1)(h-1)); constant is 0', () => {
  // MATLAB gradient of a linear ramp is a everywhere (central and one-sided alike), gy = 0,
  // so every pixel adds sqrt(a^2 / 2). 5 x 4, a = 6: 20 * 6/sqrt2 / 12 = 10 / sqrt 2.
  close(averageGradient(image(5, 4, (x) => 6 * x)), 10 / Math.SQRT2, 1e-12, 'AG ramp');
  assert.is(averageGradient(image(5, 4, () => 9)), 0);
});

test('AG: matches a separately written MATLAB-gradient computation on noise', () => {
  const img = noise(9, 7, 3);
  const w = 9, h = 7;
  let s = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = x === 0 ? px(img, 1, y) - px(img, 0, y)
        : x === w - 1 ? px(img, w - 1, y) - px(img, w - 2, y)
        : (px(img, x + 1, y) - px(img, x - 1, y)) / 2;
      const gy = y === 0 ? px(img, x, 1) - px(img, x, 0)
        : y === h - 1 ? px(img, x, h - 1) - px(img, x, h - 2)
        : (px(img, x, y + 1) - px(img, x, y - 1)) / 2;
      s += Math.sqrt((gx ** 2 + gy ** 2) / 2);
    }
  }
  close(averageGradient(img), s / ((w - 1) * (h - 1)), 1e-9, 'AG noise');
});

test('EI: ramp a x gives 8a(w-1)/w (replicated borders); constant gives 0, not a border artefact', () => {
  // Sobel across a ramp: 4 * 2a = 8a inside; at the two replicated edge columns 4a.
  // Row mean: (8a (w-2) + 2 * 4a) / w = 8a (w-1)/w. w = 5, a = 6: 38.4.
  close(edgeIntensity(image(5, 4, (x) => 6 * x)), 38.4, 1e-12, 'EI ramp');
  // Zero padding would see a step from 100 to 0 at the borders; replicate sees none.
  assert.is(edgeIntensity(image(6, 6, () => 100)), 0);
});

test.run();

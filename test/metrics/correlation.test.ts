// CC and SCD: signs, ranges and hand-worked values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { correlation, fusionCorrelation, sumOfCorrelationsOfDifferences } from '../../src/metrics/index.ts';
import { close, image, map, noise } from './fixtures.ts';

// Two exactly uncorrelated patterns of equal variance: left/right and top/bottom halves.
const lr = image(4, 4, (x) => (x < 2 ? 0 : 255));
const tb = image(4, 4, (_x, y) => (y < 2 ? 0 : 255));

test('corr: F = IR gives 1, the inverted image gives -1', () => {
  const x = noise(20, 10, 1);
  close(correlation(x, x), 1, 1e-15, 'self');
  close(correlation(x, map(x, (v) => 255 - v)), -1, 1e-15, 'inverted');
});

test('corr: hand example [1,2,3,4] vs [2,4,5,9] is 11 / sqrt(130)', () => {
  // Deviations (-1.5,-.5,.5,1.5) and (-3,-1,0,4): sum of products 11, sums of squares 5 and 26.
  const a = { width: 4, height: 1, data: [1, 2, 3, 4] };
  const b = { width: 4, height: 1, data: [2, 4, 5, 9] };
  close(correlation(a, b), 11 / Math.sqrt(130), 1e-15, 'corr hand');
});

test('corr: a constant side is 0 by convention (0/0 otherwise)', () => {
  assert.is(correlation(noise(5, 5, 2), image(5, 5, () => 7)), 0);
});

test('CC: mean of the two source correlations; F = IR with VIS = inverted IR gives (1 - 1)/2 = 0', () => {
  const x = noise(12, 12, 3);
  close(fusionCorrelation(x, x, x), 1, 1e-15, 'CC all equal');
  close(fusionCorrelation(x, map(x, (v) => 255 - v), x), 0, 1e-15, 'CC opposite');
  close(fusionCorrelation(lr, tb, lr), 0.5, 1e-15, 'CC uncorrelated VIS');
});

test('SCD: F = IR + VIS reaches the maximum 2', () => {
  const f = image(4, 4, (x, y) => lr.data[y * 4 + x] + tb.data[y * 4 + x]);
  close(sumOfCorrelationsOfDifferences(lr, tb, f), 2, 1e-15, 'SCD max');
});

test('SCD: F = IR with an uncorrelated VIS is corr(IR - VIS, IR) + 0 = 1/sqrt 2', () => {
  // var(IR - VIS) = 2 s^2, cov(IR - VIS, IR) = s^2 -> 1/sqrt2; F - IR = 0 is constant -> 0.
  close(sumOfCorrelationsOfDifferences(lr, tb, lr), Math.SQRT1_2, 1e-15, 'SCD F = IR');
});

test('SCD: F = -(IR + VIS) is negative: 2 * (-1/sqrt 5)', () => {
  // F - VIS = -IR - 2 VIS: cov with IR = -s^2, var = 5 s^2 -> -1/sqrt5 for each term.
  const f = image(4, 4, (x, y) => -(lr.data[y * 4 + x] + tb.data[y * 4 + x]));
  close(sumOfCorrelationsOfDifferences(lr, tb, f), -2 / Math.sqrt(5), 1e-15, 'SCD negative');
});

test('SCD and CC stay in range on arbitrary images', () => {
  for (let s = 0; s < 5; s++) {
    const [a, b, f] = [noise(16, 16, 10 + s), noise(16, 16, 20 + s), noise(16, 16, 30 + s)];
    const scd = sumOfCorrelationsOfDifferences(a, b, f);
    const cc = fusionCorrelation(a, b, f);
    assert.ok(scd >= -2 && scd <= 2, `SCD ${scd}`);
    assert.ok(cc >= -1 && cc <= 1, `CC ${cc}`);
  }
});

test.run();

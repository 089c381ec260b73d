import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { l1, mse } from '../../src/reference/loss.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { close, gradOk, ODD_SHAPES, randomAway, tensorIs } from './helpers.ts';

const a = cpuTensor([3], [1, 2, 3]);
const b = cpuTensor([3], [1, 0, 0]);
const one = cpuTensor([], [1]);

test('forward: scalar output, hand-computed', () => {
  tensorIs(mse.forward([a, b]), [], [13 / 3], 1e-15); // (0 + 4 + 9) / 3
  tensorIs(l1.forward([a, b]), [], [5 / 3], 1e-15); // (0 + 2 + 3) / 3
  tensorIs(mse.forward([cpuTensor([2, 2], [1, 1, 1, 1]), cpuTensor([2, 2], [0, 0, 0, 3])]), [], [1.75]); // (1 + 1 + 1 + 4) / 4
});

test('backward by hand; l1 uses sign(0) = 0', () => {
  const [ma, mb] = mse.backward([a, b], undefined, one);
  close(ma.data, [0, 4 / 3, 2], 1e-15); // 2(a − b)/n
  close(mb.data, [0, -4 / 3, -2], 1e-15);
  const [la, lb] = l1.backward([a, b], undefined, cpuTensor([], [3]));
  close(la.data, [0, 1, 1]); // 3 · sign(a − b)/3
  close(lb.data, [0, -1, -1]);
});

test('shape mismatch is an error (no broadcasting)', () => {
  assert.throws(() => mse.forward([a, cpuTensor([1], [0])]), /differ/);
  assert.throws(() => l1.forward([a]), /takes 2 input/);
});

test('gradients: mse and l1 on odd shapes', () => {
  const rng = mulberry32(5);
  for (const shape of ODD_SHAPES) {
    const x = randomTensor(shape, rng);
    gradOk(mse, [x, randomTensor(shape, rng)], undefined, 'mse');
    // l1 has a kink where a = b: keep a − b at least 1e-3 from 0.
    const d = randomAway(shape, rng, [0]);
    gradOk(l1, [cpuTensor(shape, x.data.map((v, i) => v + d.data[i])), x], undefined, 'l1');
  }
});

test.run();

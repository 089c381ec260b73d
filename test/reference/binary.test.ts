import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import * as bin from '../../src/reference/binary.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { close, gradOk, ones, randomAway, tensorIs } from './helpers.ts';

const grads = (op: RefOp, a: CpuTensor, b: CpuTensor) => op.backward([a, b], undefined, ones(op.forward([a, b]).shape));

test('forward with broadcasting: [2, 1] with [3]', () => {
  const a = cpuTensor([2, 1], [1, 2]);
  const b = cpuTensor([3], [10, 20, 40]);
  tensorIs(bin.add.forward([a, b]), [2, 3], [11, 21, 41, 12, 22, 42]);
  tensorIs(bin.sub.forward([a, b]), [2, 3], [-9, -19, -39, -8, -18, -38]);
  tensorIs(bin.mul.forward([a, b]), [2, 3], [10, 20, 40, 20, 40, 80]);
  tensorIs(bin.div.forward([a, b]), [2, 3], [0.1, 0.05, 0.025, 0.2, 0.1, 0.05], 1e-15);
  tensorIs(bin.sub.forward([b, a]), [2, 3], [9, 19, 39, 8, 18, 38]);
  assert.equal(bin.add.forward([randomTensor([7, 1, 3], mulberry32(1)), randomTensor([5, 1], mulberry32(2))]).shape, [7, 5, 3]);
  assert.throws(() => bin.add.forward([cpuTensor([2, 3]), cpuTensor([4])]), /cannot broadcast/);
});

test('backward sums broadcast gradients back to each input shape', () => {
  const a = cpuTensor([2, 1], [1, 2]);
  const b = cpuTensor([3], [10, 20, 40]);
  const [ga, gb] = grads(bin.add, a, b);
  tensorIs(ga, [2, 1], [3, 3]);
  tensorIs(gb, [3], [2, 2, 2]);
  const [ma, mb] = grads(bin.mul, a, b);
  tensorIs(ma, [2, 1], [70, 70]); // Σ b
  tensorIs(mb, [3], [3, 3, 3]); // Σ a
  const [da, db] = grads(bin.div, cpuTensor([1], [3]), cpuTensor([2], [2, 4]));
  tensorIs(da, [1], [0.5 + 0.25]); // Σ 1/b
  tensorIs(db, [2], [-3 / 4, -3 / 16]); // −a/b²
});

test('maximum/minimum: ties send the gradient to the first input', () => {
  const a = cpuTensor([3], [1, 2, 3]);
  const b = cpuTensor([3], [3, 2, 1]);
  tensorIs(bin.maximum.forward([a, b]), [3], [3, 2, 3]);
  tensorIs(bin.minimum.forward([a, b]), [3], [1, 2, 1]);
  const [xa, xb] = grads(bin.maximum, a, b);
  close(xa.data, [0, 1, 1]);
  close(xb.data, [1, 0, 0]);
  const [na, nb] = grads(bin.minimum, a, b);
  close(na.data, [1, 1, 0]);
  close(nb.data, [0, 0, 1]);
});

test('prelu: x > 0 ? x : slope·x, slope summed back to its shape', () => {
  const x = cpuTensor([3], [-2, 0, 3]);
  const slope = cpuTensor([1], [0.25]);
  tensorIs(bin.prelu.forward([x, slope]), [3], [-0.5, 0, 3]);
  const [dx, ds] = grads(bin.prelu, x, slope);
  close(dx.data, [0.25, 0.25, 1]); // at x = 0 the slope side
  close(ds.data, [-2]); // −2 + 0 + 0
  // Per-channel slope [C, 1, 1] against x [N, C, H, W].
  const xc = cpuTensor([1, 2, 1, 2], [-1, 2, -3, 4]);
  const sc = cpuTensor([2, 1, 1], [0.1, 0.5]);
  tensorIs(bin.prelu.forward([xc, sc]), [1, 2, 1, 2], [-0.1, 2, -1.5, 4]);
  close(grads(bin.prelu, xc, sc)[1].data, [-1, -3]);
});

/** Shape pairs: equal, broadcast both ways, scalar, leading-axis broadcast. */
const PAIRS: [number[], number[]][] = [
  [[7, 1, 3], [5, 1]],
  [[5, 1], [7, 1, 3]],
  [[1], [33]],
  [[3, 11], [3, 11]],
  [[4, 1], [1, 6]],
  [[], [3, 2]],
  [[2, 3, 5], [5]],
  [[2, 1, 5], [2, 3, 1]],
];

/** Gradient check over all PAIRS; `makeA` may use b to keep a away from kinks. */
function gradCase(label: string, op: RefOp, makeB: (s: number[], r: () => number) => CpuTensor, makeA: (s: number[], r: () => number, b: CpuTensor) => CpuTensor): void {
  test(`gradients: ${label}`, () => {
    const rng = mulberry32(label.length * 31 + 5);
    for (const [sa, sb] of PAIRS) {
      const b = makeB(sb, rng);
      gradOk(op, [makeA(sa, rng, b), b], undefined, label);
    }
  });
}

const uniform = (s: number[], r: () => number) => randomTensor(s, r, -2, 2);
gradCase('add', bin.add, uniform, uniform);
gradCase('sub', bin.sub, uniform, uniform);
gradCase('mul', bin.mul, uniform, uniform);
gradCase('div', bin.div, (s, r) => randomAway(s, r, [0], 0.3, -2, 2), uniform);
// Keep every a at least 1e-3 from every b it can meet, so no tie flips under ±h.
gradCase('maximum', bin.maximum, uniform, (s, r, b) => randomAway(s, r, b.data, 1e-3, -2, 2));
gradCase('minimum', bin.minimum, uniform, (s, r, b) => randomAway(s, r, b.data, 1e-3, -2, 2));
gradCase('prelu', bin.prelu, uniform, (s, r) => randomAway(s, r, [0], 1e-3, -2, 2));

test.run();

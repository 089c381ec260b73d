import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Conv2dParams, ConvTranspose2dParams } from '../../src/reference/conv.ts';
import type { CpuTensor } from '../../src/reference/tensor.ts';
import { conv2d, convTranspose2d } from '../../src/reference/conv.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { gradOk, tensorIs } from './helpers.ts';

const image3 = cpuTensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const kernel2 = cpuTensor([1, 1, 2, 2], [1, 2, 3, 4]);

test('conv2d: 3×3 image, 2×2 kernel, by hand (no kernel flip)', () => {
  // out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37; a flipped kernel (true convolution) would give 23.
  tensorIs(conv2d.forward([image3, kernel2], { stride: 1, padding: 0, groups: 1 }), [1, 1, 2, 2], [37, 47, 67, 77]);
  // Padding 1, stride 2: windows start at (−1,−1), (−1,1), (1,−1), (1,1).
  //   (−1,−1) sees only x[0,0]·w[1,1] = 4;  (−1,1): 2·3 + 3·4 = 18;  (1,−1): 4·2 + 7·4 = 36;  (1,1): 77.
  tensorIs(conv2d.forward([image3, kernel2], { stride: 2, padding: 1, groups: 1 }), [1, 1, 2, 2], [4, 18, 36, 77]);
  // Bias adds per output channel.
  const b = cpuTensor([1], [0.5]);
  tensorIs(conv2d.forward([image3, kernel2, b], { stride: 1, padding: 0, groups: 1 }), [1, 1, 2, 2], [37.5, 47.5, 67.5, 77.5]);
});

test('conv2d: group mapping by hand (g = ⌊co / (Cout/G)⌋)', () => {
  // x: 4 channels of one pixel, 1×1 kernels, groups 2: co 0,1 read channels 0,1; co 2,3 read 2,3.
  const x = cpuTensor([1, 4, 1, 1], [1, 10, 100, 1000]);
  const w = cpuTensor([4, 2, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8]);
  const b = cpuTensor([4], [0.25, 0.5, 0.75, 1]);
  // A g = co % G mapping would give co 1 = 100·3 + 1000·4 = 4300 instead of 43.
  tensorIs(conv2d.forward([x, w, b], { stride: 1, padding: 0, groups: 2 }), [1, 4, 1, 1], [21.25, 43.5, 6500.75, 8701]);
  // Depthwise (groups = C): channel c is scaled by its own weight only.
  const dw = cpuTensor([4, 1, 1, 1], [1, 2, 3, 4]);
  tensorIs(conv2d.forward([x, dw], { stride: 1, padding: 0, groups: 4 }), [1, 4, 1, 1], [1, 20, 300, 4000]);
});

test('convTranspose2d: scatter by hand', () => {
  // Stride 2 with a 2×2 kernel: each input pixel writes a disjoint 2×2 block x·w.
  const x = cpuTensor([1, 1, 2, 2], [1, 2, 3, 4]);
  const w = cpuTensor([1, 1, 2, 2], [1, 10, 100, 1000]);
  tensorIs(convTranspose2d.forward([x, w], { stride: 2, padding: 0, groups: 1 }), [1, 1, 4, 4], [
    1, 10, 2, 20,
    100, 1000, 200, 2000,
    3, 30, 4, 40,
    300, 3000, 400, 4000,
  ]);
  // Stride 1, overlapping taps along a row: [1, 2] ⋆ [1, 2, 3] -> [1, 2+2, 3+4, 6].
  const row = convTranspose2d.forward([cpuTensor([1, 1, 1, 2], [1, 2]), cpuTensor([1, 1, 1, 3], [1, 2, 3])], { stride: 1, padding: 0, groups: 1 });
  tensorIs(row, [1, 1, 1, 4], [1, 4, 7, 6]);
  // Padding 1 crops one pixel from each side of that 4×4; outputPadding 1 puts back the last one.
  const b = cpuTensor([1], [-1]);
  const cropped = convTranspose2d.forward([x, w, b], { stride: 2, padding: 1, groups: 1, outputPadding: 1 });
  tensorIs(cropped, [1, 1, 3, 3], [999, 199, 1999, 29, 3, 39, 2999, 399, 3999]);
  // Without padding, outputPadding adds a last row and column that only the bias reaches.
  const grown = convTranspose2d.forward([x, w, b], { stride: 2, padding: 0, groups: 1, outputPadding: 1 });
  tensorIs(grown, [1, 1, 5, 5], [
    0, 9, 1, 19, -1,
    99, 999, 199, 1999, -1,
    2, 29, 3, 39, -1,
    299, 2999, 399, 3999, -1,
    -1, -1, -1, -1, -1,
  ]);
});

test('convTranspose2d: group mapping by hand (g = ⌊ci / (Cin/G)⌋)', () => {
  // 4 input channels, groups 2, Cout/G = 1: ci 0,1 -> out channel 0; ci 2,3 -> out channel 1.
  const x = cpuTensor([1, 4, 1, 1], [1, 10, 100, 1000]);
  const w = cpuTensor([4, 1, 1, 1], [1, 2, 3, 4]);
  tensorIs(convTranspose2d.forward([x, w], { stride: 1, padding: 0, groups: 2 }), [1, 2, 1, 1], [21, 4300]);
});

test('output shapes: odd sizes, strides, paddings, kernels, groups', () => {
  const rng = mulberry32(3);
  const cases: [number[], number[], Conv2dParams, number[]][] = [
    [[1, 1, 1, 1], [1, 1, 1, 1], { stride: 1, padding: 0, groups: 1 }, [1, 1, 1, 1]],
    [[2, 3, 7, 3], [4, 3, 3, 3], { stride: 1, padding: 1, groups: 1 }, [2, 4, 7, 3]],
    [[1, 2, 7, 7], [2, 1, 4, 4], { stride: 2, padding: 1, groups: 2 }, [1, 2, 3, 3]], // LDFusion down-sampling
    [[1, 4, 3, 7], [4, 1, 5, 5], { stride: 1, padding: 2, groups: 4 }, [1, 4, 3, 7]],
    [[1, 1, 7, 7], [1, 1, 7, 7], { stride: 2, padding: 0, groups: 1 }, [1, 1, 1, 1]],
    [[1, 1, 1, 3], [2, 1, 3, 3], { stride: 2, padding: 1, groups: 1 }, [1, 2, 1, 2]],
  ];
  for (const [xs, ws, p, want] of cases) {
    assert.equal(conv2d.forward([randomTensor(xs, rng), randomTensor(ws, rng)], p).shape, want, `conv ${xs} ${ws}`);
  }
  // LDFusion up-sampling: 5×5, stride 2, padding 0 gives 2n + 3; 4×4 s2 p1 gives exactly 2n.
  const t = (xs: number[], ws: number[], stride: number, padding: number, groups: number, outputPadding = 0) =>
    convTranspose2d.forward([randomTensor(xs, rng), randomTensor(ws, rng)], { stride, padding, groups, outputPadding }).shape;
  assert.equal(t([1, 2, 3, 7], [2, 3, 5, 5], 2, 0, 1), [1, 3, 9, 17]);
  assert.equal(t([1, 4, 3, 1], [4, 1, 4, 4], 2, 1, 2), [1, 2, 6, 2]);
  assert.equal(t([1, 2, 1, 1], [2, 1, 3, 3], 1, 1, 2), [1, 2, 1, 1]);
  assert.equal(t([1, 1, 3, 3], [1, 1, 3, 3], 2, 1, 1, 1), [1, 1, 6, 6]);
});

test('bad shapes and params give clear errors', () => {
  const x = cpuTensor([1, 3, 5, 5]);
  const p = { stride: 1, padding: 0, groups: 1 };
  assert.throws(() => conv2d.forward([x, cpuTensor([2, 3, 3, 3])], { ...p, groups: 2 }), /input channels 3 are not divisible by groups 2/);
  assert.throws(() => conv2d.forward([cpuTensor([1, 4, 5, 5]), cpuTensor([3, 2, 3, 3])], { ...p, groups: 2 }), /output channels 3 are not divisible/);
  assert.throws(() => conv2d.forward([x, cpuTensor([2, 2, 3, 3])], p), /Cin\/groups = 3/);
  assert.throws(() => conv2d.forward([x, cpuTensor([2, 3, 7, 7])], p), /larger than the padded input 5×5/);
  assert.throws(() => conv2d.forward([x, cpuTensor([2, 3, 3, 3]), cpuTensor([3])], p), /bias \[3\] should be \[Cout = 2\]/);
  assert.throws(() => conv2d.forward([cpuTensor([3, 5, 5]), cpuTensor([2, 3, 3, 3])], p), /\[N, C, H, W\]/);
  assert.throws(() => conv2d.forward([x], p), /2 or 3 inputs/);
  assert.throws(() => conv2d.forward([x, cpuTensor([2, 3, 3, 3])], { ...p, stride: 0 }), /stride 0/);
  assert.throws(() => conv2d.forward([x, cpuTensor([2, 3, 3, 3])], { ...p, padding: -1 }), /padding -1/);
  assert.throws(() => convTranspose2d.forward([x, cpuTensor([2, 1, 3, 3])], p), /Cin = 3/);
  assert.throws(() => convTranspose2d.forward([x, cpuTensor([3, 1, 3, 3])], { ...p, groups: 2 }), /not divisible by groups 2/);
  assert.throws(() => convTranspose2d.forward([cpuTensor([1, 1, 1, 1]), cpuTensor([1, 1, 1, 1])], { ...p, padding: 1 }), /output would be -1×-1/);
  assert.throws(() => convTranspose2d.forward([x, cpuTensor([3, 1, 3, 3])], { ...p, outputPadding: 1 }), /outputPadding 1/);
  assert.throws(() => convTranspose2d.forward([x, cpuTensor([3, 2, 3, 3]), cpuTensor([3])], p), /bias \[3\] should be \[Cout = 2\]/);
});

function dot(a: CpuTensor, b: CpuTensor): number {
  assert.equal(a.shape, b.shape);
  return a.data.reduce((s, v, i) => s + v * b.data[i], 0);
}

test('convTranspose2d is the adjoint of conv2d: <conv(x, w), y> = <x, convT(y, w)>', () => {
  const rng = mulberry32(11);
  // [x shape, Cout, kernel size, params]; odd remainders of H + 2p − k modulo s on purpose.
  const cases: [number[], number, number, Conv2dParams][] = [
    [[2, 3, 7, 5], 4, 3, { stride: 1, padding: 1, groups: 1 }],
    [[1, 4, 7, 7], 6, 4, { stride: 2, padding: 1, groups: 2 }],
    [[1, 3, 7, 9], 3, 5, { stride: 2, padding: 2, groups: 3 }],
    [[1, 2, 8, 11], 2, 1, { stride: 3, padding: 0, groups: 1 }],
  ];
  for (const [xs, cout, k, p] of cases) {
    const [N, Cin, H, W] = xs;
    const x = randomTensor(xs, rng);
    const w = randomTensor([cout, Cin / p.groups, k, k], rng);
    const y = randomTensor(conv2d.forward([x, w], p).shape, rng);
    // outputPadding recovers the rows that floor division dropped.
    const outputPadding = (H + 2 * p.padding - k) % p.stride;
    assert.is((W + 2 * p.padding - k) % p.stride, outputPadding, 'test case needs equal remainders');
    const back = convTranspose2d.forward([y, w], { ...p, outputPadding });
    assert.equal(back.shape, [N, Cin, H, W]);
    const lhs = dot(conv2d.forward([x, w], p), y);
    assert.ok(Math.abs(lhs - dot(x, back)) < 1e-12 * Math.max(1, Math.abs(lhs)), `adjoint k=${k} ${JSON.stringify(p)}`);
  }
});

test('gradients: conv2d for x, w and b', () => {
  const rng = mulberry32(5);
  const cases: [number[], number[], Conv2dParams][] = [
    [[1, 1, 1, 1], [1, 1, 1, 1], { stride: 1, padding: 0, groups: 1 }],
    [[2, 2, 5, 3], [3, 2, 3, 3], { stride: 1, padding: 1, groups: 1 }],
    [[1, 4, 7, 5], [2, 2, 4, 4], { stride: 2, padding: 1, groups: 2 }],
    [[1, 3, 3, 7], [3, 1, 5, 5], { stride: 2, padding: 2, groups: 3 }],
    [[1, 1, 7, 7], [2, 1, 7, 7], { stride: 1, padding: 0, groups: 1 }],
  ];
  for (const [xs, ws, p] of cases) {
    const x = randomTensor(xs, rng);
    const w = randomTensor(ws, rng);
    gradOk(conv2d, [x, w], p, `conv2d no bias ${JSON.stringify(p)}`);
    gradOk(conv2d, [x, w, randomTensor([ws[0]], rng)], p, `conv2d ${JSON.stringify(p)}`);
  }
});

test('gradients: convTranspose2d for x, w and b', () => {
  const rng = mulberry32(6);
  const cases: [number[], number[], Required<ConvTranspose2dParams>][] = [
    [[1, 1, 1, 1], [1, 1, 1, 1], { stride: 1, padding: 0, groups: 1, outputPadding: 0 }],
    [[1, 2, 3, 1], [2, 3, 5, 5], { stride: 2, padding: 0, groups: 1, outputPadding: 0 }],
    [[2, 4, 3, 3], [4, 1, 4, 4], { stride: 2, padding: 1, groups: 2, outputPadding: 1 }],
    [[1, 3, 7, 3], [3, 1, 3, 3], { stride: 1, padding: 1, groups: 3, outputPadding: 0 }],
  ];
  for (const [xs, ws, p] of cases) {
    const x = randomTensor(xs, rng);
    const w = randomTensor(ws, rng);
    gradOk(convTranspose2d, [x, w], p, `convT no bias ${JSON.stringify(p)}`);
    gradOk(convTranspose2d, [x, w, randomTensor([ws[1] * p.groups], rng)], p, `convT ${JSON.stringify(p)}`);
  }
});

test.run();

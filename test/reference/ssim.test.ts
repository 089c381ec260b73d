import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CpuTensor } from '../../src/reference/tensor.ts';
import type { SsimParams } from '../../src/reference/ssim.ts';
import { checkGradients } from '../../src/reference/gradcheck.ts';
import { gaussianKernel1d, ssimLoss } from '../../src/reference/ssim.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { close, tensorIs } from './helpers.ts';

test('gaussianKernel1d: kornia / pytorch-ssim window values', () => {
  // The widely published 11-tap σ = 1.5 window (normalised to sum 1).
  const k = gaussianKernel1d(11, 1.5);
  close(k, [0.0010283801, 0.0075987581, 0.0360007721, 0.1093606895, 0.2130055377, 0.2660117249,
    0.2130055377, 0.1093606895, 0.0360007721, 0.0075987581, 0.0010283801], 1e-10);
  // 3 taps, σ = 1: [e^−½, 1, e^−½] / (1 + 2e^−½).
  const e = Math.exp(-0.5);
  close(gaussianKernel1d(3, 1), [e, 1, e].map((v) => v / (1 + 2 * e)), 1e-15);
  close(gaussianKernel1d(1, 2), [1]);
  assert.throws(() => gaussianKernel1d(4, 1.5), /odd positive integer/);
  assert.throws(() => gaussianKernel1d(5, 0), /sigma 0 must be positive/);
});

/** PyTorch-style reflect (mirror excluding the edge), repeated until inside: written apart from border.ts. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i >= n) {
    if (i < 0) i = -i;
    if (i >= n) i = 2 * (n - 1) - i;
  }
  return i;
}

/** Independent SSIM loss: the 2-D window applied directly (not separably), per pixel. */
function ssimDirect(a: CpuTensor, b: CpuTensor, size = 11, sigma = 1.5): number {
  const [N, C, H, W] = a.shape;
  const r = (size - 1) / 2;
  const e = Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma ** 2)));
  const total = e.reduce((s, v) => s + v, 0);
  let loss = 0;
  for (let p = 0; p < N * C; p++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let [ma, mb, aa, bb, ab] = [0, 0, 0, 0, 0];
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) {
            const w = (e[i] * e[j]) / (total * total);
            const at = (p * H + mirror(y + i - r, H)) * W + mirror(x + j - r, W);
            const [va, vb] = [a.data[at], b.data[at]];
            ma += w * va;
            mb += w * vb;
            aa += w * va * va;
            bb += w * vb * vb;
            ab += w * va * vb;
          }
        }
        const s = ((2 * ma * mb + 1e-4) * (2 * (ab - ma * mb) + 9e-4)) /
          ((ma * ma + mb * mb + 1e-4) * (aa - ma * ma + bb - mb * mb + 9e-4));
        loss += Math.min(Math.max(1 - s, 0), 1) / 2;
      }
    }
  }
  return loss / (N * C * H * W);
}

const loss = (a: CpuTensor, b: CpuTensor, params: SsimParams = {}): number => ssimLoss.forward([a, b], params).data[0];

test('identical images: loss 0', () => {
  const a = randomTensor([2, 3, 7, 5], mulberry32(1), 0, 1);
  const out = ssimLoss.forward([a, a], {});
  assert.equal(out.shape, []);
  close(out.data, [0], 1e-15);
});

test('constant images by hand: only μ and C1 matter', () => {
  // a ≡ 0.2, b ≡ 0.6: σ = 0, S = (2·0.12 + 1e−4)/(0.04 + 0.36 + 1e−4) = 0.2401/0.4001.
  // An unnormalised window would leave σ² = E[x²] − μ² ≠ 0 and change S.
  const a = cpuTensor([1, 1, 3, 4]).data.fill(0.2);
  const b = cpuTensor([1, 1, 3, 4]).data.fill(0.6);
  // Tolerance 1e−12: σ² = E[x²] − μ² cancels to ~1e−17 rather than 0, and C2 = 9e−4 amplifies it.
  close([loss(cpuTensor([1, 1, 3, 4], a), cpuTensor([1, 1, 3, 4], b))], [0.19995001249687577], 1e-12);
});

test('matches a direct 2-D double loop with reflect borders (incl. planes smaller than the window)', () => {
  const rng = mulberry32(2);
  const cases: [number[], SsimParams][] = [
    [[1, 1, 7, 7], {}],
    [[2, 2, 5, 6], {}],
    [[1, 1, 1, 7], {}],
    [[1, 1, 3, 1], {}],
    [[1, 1, 1, 1], {}],
    [[1, 2, 13, 12], {}],
    [[1, 1, 6, 5], { windowSize: 3, sigma: 0.8 }],
    [[2, 1, 4, 9], { windowSize: 5, sigma: 2 }],
  ];
  for (const [shape, params] of cases) {
    const a = randomTensor(shape, rng, 0, 1);
    const b = randomTensor(shape, rng, 0, 1);
    const want = ssimDirect(a, b, params.windowSize, params.sigma);
    close([loss(a, b, params)], [want], 1e-12, `[${shape}] ${JSON.stringify(params)}`);
  }
});

// A checkerboard against its negative: strongly anti-correlated, so S < 0 and the clamp holds 1 − S at 1.
function checkerPair(shape: number[]): [CpuTensor, CpuTensor] {
  const [, , H, W] = shape;
  const a = cpuTensor(shape, Array.from({ length: shape.reduce((s, d) => s * d, 1) }, (_, i) => {
    const [y, x] = [Math.floor(i / W) % H, i % W];
    return (y + x) % 2 === 0 ? 0.9 : 0.1;
  }));
  return [a, cpuTensor(shape, a.data.map((v) => 1 - v))];
}

test('clamp: anti-correlated images reach the 0.5 per-pixel ceiling', () => {
  const [a, b] = checkerPair([1, 1, 6, 6]);
  const value = loss(a, b);
  close([value], [ssimDirect(a, b)], 1e-12);
  // Without the upper clamp the mean would exceed 0.5 here (1 − S > 1 at every pixel).
  close([value], [0.5], 1e-15);
});

test('bad inputs give clear errors', () => {
  const x = cpuTensor([1, 1, 4, 4]);
  assert.throws(() => ssimLoss.forward([x, cpuTensor([1, 1, 4, 5])], {}), /shapes \[1, 1, 4, 4\] and \[1, 1, 4, 5\] differ/);
  assert.throws(() => ssimLoss.forward([cpuTensor([4, 4]), cpuTensor([4, 4])], {}), /\[N, C, H, W\]/);
  assert.throws(() => ssimLoss.forward([x], {}), /2 input/);
  assert.throws(() => ssimLoss.forward([x, x], { windowSize: 10 }), /size 10 must be an odd/);
});

test('gradients: both inputs, by central differences', () => {
  const rng = mulberry32(3);
  const cases: [CpuTensor, CpuTensor, SsimParams][] = [];
  for (const shape of [[1, 1, 1, 1], [1, 1, 3, 4], [2, 1, 5, 5], [1, 2, 7, 3]]) {
    cases.push([randomTensor(shape, rng, 0, 1), randomTensor(shape, rng, 0, 1), {}]);
  }
  cases.push([randomTensor([1, 1, 6, 5], rng, 0, 1), randomTensor([1, 1, 6, 5], rng, 0, 1), { windowSize: 3, sigma: 0.8 }]);
  cases.push([...checkerPair([1, 1, 4, 4]), {}]); // clamped everywhere: zero gradient
  for (const [a, b, params] of cases) {
    const r = checkGradients(ssimLoss, [a, b], params, 5);
    // The loss is a mean, so gradients are O(1/count) and gradOk's relative 1e−6 (floored at an
    // absolute 1e−6) could pass a wrong rule: apply that bar to the sum, count·loss, instead.
    const count = a.data.length;
    assert.ok(r.maxAbsError * count < 1e-6, `[${a.shape}] ${JSON.stringify(params)}: max abs error ${r.maxAbsError}`);
  }
  const [a, b] = checkerPair([1, 1, 4, 4]);
  tensorIs(ssimLoss.backward([a, b], {}, cpuTensor([], [1]))[0], [1, 1, 4, 4], new Float64Array(16));
});

test('gradients: zero at identical images (S is at its maximum 1)', () => {
  const a = randomTensor([1, 2, 5, 4], mulberry32(4), 0, 1);
  const [ga, gb] = ssimLoss.backward([a, a], {}, cpuTensor([], [1]));
  close(ga.data, new Float64Array(40), 1e-12);
  close(gb.data, new Float64Array(40), 1e-12);
  // And not zero elsewhere: a nearby pair has a gradient of the expected size.
  const b = cpuTensor(a.shape, a.data.map((v, i) => v + (i % 3 === 0 ? 0.05 : -0.03)));
  assert.ok(Math.max(...ssimLoss.backward([a, b], {}, cpuTensor([], [1]))[0].data.map(Math.abs)) > 1e-3);
});

test.run();

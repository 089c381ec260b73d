// The fused fidelity loss (shaders/fidelity.wgsl, fidelity_backward.wgsl) against
// src/reference/fidelity.ts: every border mode, normalised or not, every count of targets, odd
// shapes, and images big enough for several partial sums.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, type Tensor } from '../../src/index.ts';
import { fidelity, type FidelityParams } from '../../src/reference/fidelity.ts';
import type { CpuTensor } from '../../src/reference/tensor.ts';
import { mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

/** A sum of means of terms up to ~100 (Sobel of pixels in [−1, 1] reaches 8). */
const lossTol = { rtol: 1e-4, atol: 1e-5 };

/** F, its intensity targets and its gradient targets for an H×W image. */
function inputsFor(H: number, W: number, p: FidelityParams, rng: () => number): CpuTensor[] {
  return [
    randomTensor([H, W], rng),
    ...p.intensity.map(() => randomTensor([H, W], rng)),
    ...p.gradient.map(() => randomTensor([2, H, W], rng, -4, 4)),
  ];
}

/** The GPU op on the same inputs as the reference, with the same params. */
function gpuFidelity(p: FidelityParams): (xs: Tensor[]) => Tensor {
  return ([f, ...targets]) => ops.fidelityLoss(f, {
    intensity: p.intensity.map((a, k) => [targets[k], a] as const),
    gradient: p.gradient.map((b, j) => [targets[p.intensity.length + j], b] as const),
    sparsity: p.sparsity,
    sobel: p.sobel,
  });
}

async function check(label: string, H: number, W: number, p: FidelityParams, seed: number, centralDifference?: boolean): Promise<void> {
  const inputs = inputsFor(H, W, p, mulberry32(seed));
  await checkOp({
    label, inputs, gpu: gpuFidelity(p), ref: fidelity, params: p, forwardTol: lossTol, centralDifference,
    requiresGrad: inputs.map((_, k) => k === 0), // targets are constants
  });
}

const SHAPES = [[1, 1], [1, 9], [7, 1], [7, 5], [6, 11]];

for (const border of ['zero', 'replicate', 'reflect', 'symmetric'] as const) {
  for (const normalise of [false, true]) {
    test(`fidelity, ${border} border${normalise ? ', normalised' : ''}: two targets of each kind and λ, forward and gradient`, async () => {
      const p: FidelityParams = { intensity: [0.7, 1.3], gradient: [0.4, 2.1], sparsity: 0.9, sobel: { border, normalise } };
      for (const [H, W] of SHAPES) await check(`fidelity ${border} ${H}×${W}`, H, W, p, H * 100 + W + border.length);
    });
  }
}

test('fidelity with each count of targets (0, 1, 2 of each kind), with and without λ', async () => {
  for (let k = 0; k <= 2; k++) {
    for (let m = 0; m <= 2; m++) {
      for (const sparsity of [0, 1]) {
        if (k + m === 0 && sparsity === 0) continue;
        const p: FidelityParams = { intensity: [1.5, 0.5].slice(0, k), gradient: [0.25, 3].slice(0, m), sparsity, sobel: { border: 'replicate' } };
        await check(`fidelity ${k} intensity, ${m} gradient, λ ${sparsity}`, 5, 8, p, 10 * k + m + sparsity);
      }
    }
  }
});

// A partial sums every P-th pixel (256 with the CPU tuning, 8 with the GPU one): one partial,
// several, a last one short, and (GPU tuning, 129×131) more partials than one workgroup sums.
for (const tuning of ['cpu', 'gpu'] as const) {
  test(`fidelity over 257×3, 64×65 and 129×131 pixels (several partial sums), ${tuning} tuning`, async () => {
    shutdown();
    await init({ quiet: true, tuning });
    const p: FidelityParams = { intensity: [1, 1], gradient: [1, 1], sparsity: 1, sobel: { border: 'replicate' } };
    for (const [H, W] of [[257, 3], [64, 65], [129, 131]]) await check(`fidelity ${H}×${W} ${tuning}`, H, W, p, H + W, false);
  });
}

test('fidelity: what it refuses (clearly)', () => {
  const f = tensor(new Float32Array(12), [3, 4], { requiresGrad: true });
  const t = tensor(new Float32Array(12), [3, 4]);
  const g = tensor(new Float32Array(24), [2, 3, 4]);
  const wrong = tensor(new Float32Array(12), [4, 3]);
  const learnt = tensor(new Float32Array(12), [3, 4], { requiresGrad: true });
  assert.throws(() => ops.fidelityLoss(f, { intensity: [[t, 1], [t, 1], [t, 1]] }), /at most 2 intensity targets/);
  assert.throws(() => ops.fidelityLoss(f, { intensity: [[wrong, 1]] }), /shape|\[4, 3\]/);
  assert.throws(() => ops.fidelityLoss(f, { gradient: [[t, 1]] }), /shape|\[3, 4\]/);
  assert.throws(() => ops.fidelityLoss(f, { intensity: [[learnt, 1]] }), /constants/);
  assert.throws(() => ops.fidelityLoss(g, { sparsity: 1 }), /\[H, W\]/);
  for (const x of [f, t, g, wrong, learnt]) x.dispose();
});

test.run();

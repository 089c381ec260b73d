// The kernel choices made for GPUs (Runtime.tuning 'gpu': 4×4 register blocks, split-K, Bᵀ by
// a transposed copy, sums in runs and in workgroup trees) give the numbers the SwiftShader
// choices ('cpu') give, over whole training steps: one step of INRFuse with the paper's SIREN
// (5×256, 1,024 points) and one of DIDFuse (width 16, 32×32), every gradient compared. On a
// machine without a GPU this is how CI runs the code a GPU takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, noGrad, shutdown, tensor, tidy, type Tensor, type Tuning } from '../../src/index.ts';
import { runtime } from '../../src/tensor/context.ts';
import { toGrey } from '../../src/io/colour.ts';
import { makeSamplePair } from '../../src/io/sample.ts';
import { gridCoordinates } from '../../src/models/coords.ts';
import { DIDFuse } from '../../src/models/didfuse.ts';
import { InrFuse } from '../../src/models/inrfuse.ts';
import { matmulPlan, slicedK } from '../../src/ops/matmul_kernel.ts';

const SIZE = 32;

interface Step {
  loss: number;
  gradients: Float32Array[];
  /** dispatches of the forward and backward */
  dispatches?: number;
}

/** Runs `step` (e.g. one returning the loss after backward) on a fresh runtime with this tuning. */
async function withTuning<T>(tuning: Tuning, step: () => Promise<T>): Promise<T> {
  shutdown();
  const rt = await init({ quiet: true, tuning });
  assert.is(rt.tuning, tuning);
  try {
    return await step();
  } finally {
    shutdown();
  }
}

async function gradientsOf(params: Tensor[], loss: Tensor): Promise<Step> {
  const value = await loss.item();
  loss.dispose();
  const gradients: Float32Array[] = [];
  for (const p of params) {
    assert.ok(p.grad, 'every parameter has a gradient');
    gradients.push(await p.grad.read());
  }
  return { loss: value, gradients };
}

async function inrStep(): Promise<Step> {
  const model = new InrFuse({ seed: 1 });
  const { ir, vis } = makeSamplePair(SIZE, SIZE);
  const target = (data: Float32Array) => {
    const pixels = tensor(data.map((v) => 2 * v - 1), [SIZE, SIZE]);
    return { pixels, gradients: noGrad(() => model.gradient(pixels)), height: SIZE, width: SIZE };
  };
  const [irTarget, visTarget] = [target(ir.data), target(toGrey(vis).data)];
  const coords = tensor(gridCoordinates(SIZE, SIZE), [SIZE * SIZE, 2]);
  const { counters } = runtime();
  const before = counters.dispatches;
  const loss = tidy(() => {
    const l = model.loss(coords, irTarget, visTarget, true);
    l.backward();
    return l;
  });
  const dispatches = counters.dispatches - before;
  const step = { ...(await gradientsOf(model.net.parameters(), loss)), dispatches };
  for (const t of [coords, irTarget.pixels, irTarget.gradients, visTarget.pixels, visTarget.gradients]) t.dispose();
  model.net.dispose();
  return step;
}

async function didfuseStep(): Promise<Step> {
  const model = new DIDFuse({ width: 16, seed: 2 });
  const plane = (phase: number) => Float32Array.from({ length: SIZE * SIZE }, (_, i) => 0.5 + 0.4 * Math.sin(0.37 * i + phase) * Math.cos(0.11 * i));
  const vis = tensor(plane(0), [1, 1, SIZE, SIZE]);
  const ir = tensor(plane(1.3), [1, 1, SIZE, SIZE]);
  const loss = tidy(() => {
    const l = model.loss(vis, ir).total;
    l.backward();
    return l;
  });
  const step = await gradientsOf(model.parameters(), loss);
  for (const t of [vis, ir]) t.dispose();
  model.dispose();
  return step;
}

const largest = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Each gradient within 1e-3 of its largest magnitude, a summation order apart and not a wrong
 * path apart. A gradient that is 0 in exact arithmetic (a conv bias before BatchNorm) is
 * float32 noise on both sides: its bound is floored at 1e-6 of the step's largest gradient.
 */
function assertSameStep(name: string, cpu: Step, gpu: Step): void {
  assert.ok(Math.abs(gpu.loss - cpu.loss) <= 1e-5 * Math.abs(cpu.loss), `${name} loss: gpu ${gpu.loss} vs cpu ${cpu.loss}`);
  assert.is(gpu.gradients.length, cpu.gradients.length);
  const overall = Math.max(...cpu.gradients.map(largest));
  assert.ok(overall > 0, `${name}: all-zero gradients check nothing`);
  cpu.gradients.forEach((expected, k) => {
    const got = gpu.gradients[k];
    const scale = Math.max(largest(expected), 1e-3 * overall);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    assert.ok(worst <= 1e-3 * scale, `${name} parameter ${k} (${expected.length} values): gpu differs by ${worst}, largest ${largest(expected)}`);
  });
}

// A dispatch costs ~3.5 µs on an H100 even when it does nothing (bench/RESULTS.md, session 10), and
// a small SIREN step is bound by its dispatches: the GPU tuning's are counted too. 24: the hidden
// weights' Wᵀ copies (1), the five layers (5), the loss (2), its gradient's seed (1) and backward
// (1), and per layer the fused backward or the dW product, with dW's and db's sums in one pass (14).
test('INRFuse step (SIREN 5×256): GPU kernel choices give the SwiftShader choices\' loss and gradients, in 24 dispatches', async () => {
  const gpu = await withTuning('gpu', inrStep);
  assertSameStep('INRFuse', await withTuning('cpu', inrStep), gpu);
  assert.ok((gpu.dispatches ?? Infinity) <= 24, `the GPU tuning's step took ${gpu.dispatches} dispatches`);
});

test('DIDFuse step (width 16, 32×32): GPU kernel choices give the SwiftShader choices\' loss and gradients', async () => {
  assertSameStep('DIDFuse', await withTuning('cpu', didfuseStep), await withTuning('gpu', didfuseStep));
});

// The slices measured best on an H100 (bench/RESULTS.md, session 10): K is sliced within a
// workgroup up to one wave of invocations, so a 64² SIREN's 4,096-row products take 2 slices, its
// weight gradient (a 256×256 output) 4, and the 16,384-row products of 128² none. The CPU tuning
// and slicedK.enabled = false never slice.
test('the GPU tuning slices K to one wave: 2 slices at 4,096 rows, 4 for the 256×256 dW, none at 16,384 rows', async () => {
  const base = { name: 'matmul', file: 'matmul.wgsl', inputs: 2, outputs: 1, uniform: true };
  const slicesOf = (transA: boolean, M: number, N: number, K: number) =>
    Number(matmulPlan(base, transA, false, M, N, K).kernel.snippets?.K_SLICES);
  for (const tuning of ['gpu', 'cpu'] as const) {
    await withTuning(tuning, async () => {
      const sliced = tuning === 'gpu' && slicedK.enabled; // FUSEGRAD_SLICED_K=0 turns it off
      assert.is(slicesOf(false, 4096, 256, 256), sliced ? 2 : 1, `${tuning}: x·W at 4,096 rows`);
      assert.is(slicesOf(true, 256, 256, 4096), sliced ? 4 : 1, `${tuning}: dW over 4,096 rows`);
      assert.is(slicesOf(false, 16384, 256, 256), 1, `${tuning}: x·W at 16,384 rows`);
      const before = slicedK.enabled;
      slicedK.enabled = false;
      try {
        assert.is(slicesOf(false, 4096, 256, 256), 1, `${tuning}: slicing turned off`);
      } finally {
        slicedK.enabled = before;
      }
    });
  }
});

test('FUSEGRAD_TUNING picks the tuning; a wrong value is a clear error', async () => {
  shutdown();
  process.env.FUSEGRAD_TUNING = 'gpu';
  try {
    assert.is((await init({ quiet: true })).tuning, 'gpu');
    shutdown();
    process.env.FUSEGRAD_TUNING = 'fast';
    const error = await init({ quiet: true }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof Error && /FUSEGRAD_TUNING must be cpu or gpu/.test(error.message), String(error));
  } finally {
    delete process.env.FUSEGRAD_TUNING;
    shutdown();
  }
});

test.run();

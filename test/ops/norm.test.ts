// Normalisations (the fused standardisation of src/ops/standardise.ts), pooling (src/ops/pool.ts)
// and the SSIM loss (src/ops/ssim.ts) against their float64 references with hand-written backward.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, init, ops, runtime, shutdown, tensor, tidy } from '../../src/index.ts';
import { groupChunk } from '../../src/ops/group_chunks.ts';
import * as norm from '../../src/reference/norm.ts';
import * as pool from '../../src/reference/pool.ts';
import { ssimLoss } from '../../src/reference/ssim.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

const EPS = { eps: 1e-5 };
const NORM_TOL = { rtol: 1e-3, atol: 1e-4 };

test('batchNorm2d (training): forward, gradients, running statistics', async () => {
  const rng = mulberry32(1);
  for (const shape of [[2, 3, 1, 1], [1, 2, 3, 5], [3, 4, 7, 5]]) {
    const C = shape[1];
    const state = { runningMean: tensor(new Float32Array(C).fill(0.5), [C]), runningVar: tensor(new Float32Array(C).fill(2), [C]), momentum: 0.1, eps: 1e-5 };
    const x = randomTensor(shape, rng, -2, 3);
    await checkOp({
      label: 'batchNorm2d', inputs: [x, randomTensor([C], rng), randomTensor([C], rng)], ref: norm.batchNorm2d, params: EPS,
      gpu: ([x, g, b]) => ops.batchNorm2d(x, g, b, state, true), forwardTol: NORM_TOL, gradTol: NORM_TOL,
    });
    // checkOp ran the op once: the running statistics moved once, toward float32(x)'s batch statistics
    const x32 = cpuTensor(shape, x.data.map(Math.fround));
    const want = norm.batchNormRunningUpdate(x32, cpuTensor([C], new Array(C).fill(0.5)), cpuTensor([C], new Array(C).fill(2)), 0.1);
    const [mean, variance] = [await state.runningMean.read(), await state.runningVar.read()];
    for (let c = 0; c < C; c++) {
      assert.ok(Math.abs(mean[c] - want.mean.data[c]) < 1e-5, `running mean ${mean[c]} vs ${want.mean.data[c]}`);
      assert.ok(Math.abs(variance[c] - want.var.data[c]) < 1e-4 * want.var.data[c], `running var ${variance[c]} vs ${want.var.data[c]}`);
    }
    state.runningMean.dispose();
    state.runningVar.dispose();
  }
});

test('batchNorm2d (eval): uses the running statistics', async () => {
  const rng = mulberry32(2);
  const [C, rm, rv] = [3, randomTensor([3], rng), randomTensor([3], rng, 0.5, 2)];
  const state = { runningMean: tensor(Float32Array.from(rm.data), [C]), runningVar: tensor(Float32Array.from(rv.data), [C]), momentum: 0.1, eps: 1e-5 };
  await checkOp({
    label: 'batchNorm2d eval', inputs: [randomTensor([2, C, 3, 4], rng), randomTensor([C], rng), randomTensor([C], rng), rm, rv],
    ref: norm.batchNorm2dEval, params: EPS, requiresGrad: [true, true, true, false, false],
    gpu: ([x, g, b]) => ops.batchNorm2d(x, g, b, state, false), forwardTol: NORM_TOL, gradTol: NORM_TOL,
    centralDifference: false, // the reference reports no gradient for the running statistics (they are buffers)
  });
  state.runningMean.dispose();
  state.runningVar.dispose();
});

test('instanceNorm2d, adain, layerNormLD: forward and every gradient', async () => {
  const rng = mulberry32(3);
  for (const [N, C, H, W] of [[1, 1, 1, 2], [2, 3, 5, 7], [1, 4, 9, 3]]) {
    await checkOp({
      label: 'instanceNorm2d', inputs: [randomTensor([N, C, H, W], rng)], ref: norm.instanceNorm2d, params: EPS,
      gpu: ([x]) => ops.instanceNorm2d(x, 1e-5), forwardTol: NORM_TOL, gradTol: NORM_TOL,
    });
    await checkOp({
      label: 'adain', inputs: [randomTensor([N, C, H, W], rng), randomTensor([N, C], rng), randomTensor([N, C], rng)],
      ref: norm.adain, params: EPS, gpu: ([x, s, b]) => ops.adain(x, s, b, 1e-5), forwardTol: NORM_TOL, gradTol: NORM_TOL,
    });
    await checkOp({
      label: 'layerNormLD', inputs: [randomTensor([N, C, H, W], rng), randomTensor([C], rng), randomTensor([C], rng)],
      ref: norm.layerNormLD, params: EPS, gpu: ([x, g, b]) => ops.layerNormLD(x, g, b, 1e-5), forwardTol: NORM_TOL, gradTol: NORM_TOL,
    });
  }
});

test('layerNormLD uses the unbiased std, eps added to the std (a biased one fails here)', async () => {
  // x = [1, 2, 3, 4]: mean 2.5, unbiased std √(5/3) = 1.29099 (biased: 1.11803); eps 0.5.
  const y = tidy(() => ops.layerNormLD(tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1], [1]), tensor([0], [1]), 0.5));
  const first = (await y.read())[0];
  y.dispose();
  assert.ok(Math.abs(first - -1.5 / (Math.sqrt(5 / 3) + 0.5)) < 1e-6, `got ${first}`);
});

// Both tunings: a chunk is a workgroup tree for GPUs and one invocation's loop for SwiftShader.
// Chunks of 300 give the tree's 256 invocations more than one value each.
test('normalisations with their groups cut in chunks of 1, 7, 64 and 300 values, each tuning\'s kernels: forward and gradients', async () => {
  const rng = mulberry32(6);
  const saved = groupChunk.elements;
  try {
    for (const [tuning, chunk] of [['cpu', 1], ['cpu', 7], ['cpu', 64], ['cpu', 300], ['gpu', 1], ['gpu', 7], ['gpu', 64], ['gpu', 300]] as const) {
      if (runtime().tuning !== tuning) {
        shutdown();
        await init({ quiet: true, tuning });
      }
      groupChunk.elements = chunk;
      for (const [N, C, H, W] of chunk === 300 ? [[2, 3, 17, 19]] : [[3, 4, 7, 5], [2, 3, 1, 33]]) {
        const state = { runningMean: tensor(new Float32Array(C), [C]), runningVar: tensor(new Float32Array(C).fill(1), [C]), momentum: 0.1, eps: 1e-5 };
        await checkOp({
          label: `batchNorm2d chunk ${chunk}`, inputs: [randomTensor([N, C, H, W], rng, -2, 3), randomTensor([C], rng), randomTensor([C], rng)],
          ref: norm.batchNorm2d, params: EPS, gpu: ([x, g, b]) => ops.batchNorm2d(x, g, b, state, true), forwardTol: NORM_TOL, gradTol: NORM_TOL,
        });
        state.runningMean.dispose();
        state.runningVar.dispose();
        await checkOp({
          label: `adain chunk ${chunk}`, inputs: [randomTensor([N, C, H, W], rng), randomTensor([N, C], rng), randomTensor([N, C], rng)],
          ref: norm.adain, params: EPS, gpu: ([x, s, b]) => ops.adain(x, s, b, 1e-5), forwardTol: NORM_TOL, gradTol: NORM_TOL,
        });
        await checkOp({
          label: `layerNormLD chunk ${chunk}`, inputs: [randomTensor([N, C, H, W], rng), randomTensor([C], rng), randomTensor([C], rng)],
          ref: norm.layerNormLD, params: EPS, gpu: ([x, g, b]) => ops.layerNormLD(x, g, b, 1e-5), forwardTol: NORM_TOL, gradTol: NORM_TOL,
        });
        await checkOp({
          label: `instanceNorm2d chunk ${chunk}`, inputs: [randomTensor([N, C, H, W], rng)], ref: norm.instanceNorm2d, params: EPS,
          gpu: ([x]) => ops.instanceNorm2d(x, 1e-5), forwardTol: NORM_TOL, gradTol: NORM_TOL,
        });
      }
    }
  } finally {
    groupChunk.elements = saved;
    shutdown();
    await init({ quiet: true });
  }
});

test('batchNorm2d over 2 × 65 × 33 pixels a channel (two chunks) and a mean of 1,000 (float32 moments stay accurate)', async () => {
  const rng = mulberry32(7);
  const shape = [2, 3, 65, 33];
  const x = randomTensor(shape, rng, -1, 1);
  const offset = cpuTensor(shape, x.data.map((v) => 1000 + v)); // a sum of squares minus a squared sum loses all of it
  for (const input of [x, offset]) {
    const state = { runningMean: tensor(new Float32Array(3), [3]), runningVar: tensor(new Float32Array(3).fill(1), [3]), momentum: 0.1, eps: 1e-5 };
    await checkOp({
      label: 'batchNorm2d, long groups', inputs: [input, randomTensor([3], rng), randomTensor([3], rng)], ref: norm.batchNorm2d, params: EPS,
      gpu: ([a, g, b]) => ops.batchNorm2d(a, g, b, state, true), forwardTol: { rtol: 2e-3, atol: 2e-3 }, gradTol: { rtol: 2e-3, atol: 2e-3 }, centralDifference: false,
    });
    state.runningMean.dispose();
    state.runningVar.dispose();
  }
});

test('a BatchNorm in training takes 3 dispatches forward and 2 back (composed from primitives it took 20 and 26)', () => {
  const rt = runtime();
  const state = { runningMean: tensor(new Float32Array(4), [4]), runningVar: tensor(new Float32Array(4).fill(1), [4]), momentum: 0.1, eps: 1e-5 };
  const [gamma, beta] = [tensor(new Float32Array(4).fill(1), [4], { requiresGrad: true }), tensor(new Float32Array(4), [4], { requiresGrad: true })];
  const x = tensor(Float32Array.from({ length: 2 * 4 * 9 }, (_, i) => Math.sin(i)), [2, 4, 3, 3], { requiresGrad: true });
  tidy(() => {
    const y = ops.batchNorm2d(x, gamma, beta, state, true);
    const before = rt.counters.dispatches;
    const forward = tidy(() => ops.batchNorm2d(x, gamma, beta, state, true));
    const forwardDispatches = rt.counters.dispatches - before;
    assert.is(forwardDispatches, 3);
    forward.dispose();
    const start = rt.counters.dispatches;
    backward(y);
    assert.is(rt.counters.dispatches - start, 1 + 2, 'the seed\'s fill, then the gradient sums and dx');
  });
  for (const t of [state.runningMean, state.runningVar, gamma, beta, x]) t.dispose();
});

test('avgPool2d, maxPool2d, globalAvgPool: forward and gradient on odd sizes', async () => {
  const rng = mulberry32(4);
  for (const shape of [[1, 1, 2, 2], [2, 3, 5, 7], [1, 2, 9, 4]]) {
    for (const [name, gpu, reference] of [
      ['avgPool2d', ops.avgPool2d, pool.avgPool2d], ['maxPool2d', ops.maxPool2d, pool.maxPool2d], ['globalAvgPool', ops.globalAvgPool, pool.globalAvgPool],
    ] as const) {
      await checkOp({ label: name, inputs: [randomTensor(shape, rng)], ref: reference, params: undefined, gpu: ([x]) => gpu(x) });
    }
  }
});

test('maxPool2d with ties (values from {0, 1, 2}): the gradient goes to the first maximum; one dispatch each way', async () => {
  const rng = mulberry32(6);
  for (const shape of [[2, 3, 33, 17], [1, 1, 2, 65]]) {
    const ties = randomTensor(shape, rng, 0, 3);
    ties.data.forEach((v, i) => (ties.data[i] = Math.floor(v)));
    for (const [name, gpu, reference] of [['maxPool2d', ops.maxPool2d, pool.maxPool2d], ['avgPool2d', ops.avgPool2d, pool.avgPool2d]] as const) {
      // no central differences: at a tie the max is not differentiable
      await checkOp({ label: `${name} ties`, inputs: [ties], ref: reference, params: undefined, gpu: ([x]) => gpu(x), centralDifference: false });
    }
  }
  const x = tensor(new Float32Array(2 * 3 * 9 * 8).fill(1), [2, 3, 9, 8], { requiresGrad: true });
  const rt = runtime();
  for (const op of [ops.maxPool2d, ops.avgPool2d]) {
    const before = rt.counters.dispatches;
    tidy(() => backward(ops.sum(op(x))));
    // the forward, the sum's, the backward; the sum's backward is a broadcast of g
    assert.ok(rt.counters.dispatches - before <= 5, `${rt.counters.dispatches - before} dispatches`);
    x.grad?.dispose();
    x.grad = null;
  }
  x.dispose();
});

test('ssimLoss: kornia semantics, forward and gradients of both images', async () => {
  const rng = mulberry32(5);
  for (const [shape, windowSize] of [[[1, 1, 12, 13], 11], [[2, 1, 7, 9], 5], [[1, 2, 16, 11], 11]] as const) {
    await checkOp({
      label: `ssimLoss w${windowSize}`, inputs: [randomTensor([...shape], rng, 0, 1), randomTensor([...shape], rng, 0, 1)],
      ref: ssimLoss, params: { windowSize, sigma: 1.5 }, gpu: ([a, b]) => ops.ssimLoss(a, b, { windowSize, sigma: 1.5 }),
      forwardTol: { rtol: 1e-4, atol: 1e-5 }, gradTol: { rtol: 2e-3, atol: 2e-6 }, centralDifference: false,
    });
  }
});

test.run();

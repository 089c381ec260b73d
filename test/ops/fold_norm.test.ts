// Eval-mode BatchNorm folded into a convolution (src/ops/fold_norm.ts): the kernel under noGrad,
// and the engine ops it falls back to under autograd, each against the float64 references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, noGrad, ops, runtime, shutdown, tensor, zeros, type Tensor } from '../../src/index.ts';
import { foldBatchNormBias, foldBatchNormWeight } from '../../src/reference/norm.ts';
import { mulberry32, randomTensor, type CpuTensor } from '../../src/reference/tensor.ts';
import { assertClose, checkOp, DEFAULT_TOL, toFloat32 } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

const EPS = 1e-5;
const state = (mean: Tensor, variance: Tensor) => ({ runningMean: mean, runningVar: variance, momentum: 0.1, eps: EPS });
const onGpu = (t: CpuTensor): Tensor => tensor(Float32Array.from(t.data), t.shape);

test('under autograd: W\' and b\' and their gradients (the engine ops) against the references', async () => {
  const rng = mulberry32(11);
  for (const O of [1, 7]) {
    await checkOp({
      label: 'foldBatchNorm weight', ref: foldBatchNormWeight, params: { eps: EPS },
      inputs: [randomTensor([O, 2, 3, 3], rng), randomTensor([O], rng, 0.5, 2), randomTensor([O], rng, 0.1, 2)],
      gpu: ([w, gamma, variance]) => ops.foldBatchNorm(w, null, { weight: gamma, bias: zeros([O]), state: state(zeros([O]), variance) }).weight,
    });
    await checkOp({
      label: 'foldBatchNorm bias', ref: foldBatchNormBias, params: { eps: EPS },
      inputs: [randomTensor([O], rng), randomTensor([O], rng, 0.5, 2), randomTensor([O], rng), randomTensor([O], rng), randomTensor([O], rng, 0.1, 2)],
      gpu: ([b, gamma, beta, mean, variance]) => ops.foldBatchNorm(zeros([O, 1]), b, { weight: gamma, bias: beta, state: state(mean, variance) }).bias,
    });
  }
});

test('for inference: one dispatch makes W\' and b\' (with and without a conv bias) on odd shapes', async () => {
  const rng = mulberry32(12);
  for (const shape of [[1, 1, 3, 3], [7, 5, 3, 3], [33, 64, 3, 3], [257, 2]]) {
    const O = shape[0];
    const [w, bias, gamma, beta, mean, variance] = [
      randomTensor(shape, rng), randomTensor([O], rng), randomTensor([O], rng, 0.5, 2), randomTensor([O], rng), randomTensor([O], rng), randomTensor([O], rng, 0.1, 2),
    ].map(toFloat32);
    for (const withBias of [true, false]) {
      const gpu = [w, bias, gamma, beta, mean, variance].map(onGpu);
      for (const t of gpu) t.requiresGrad = true; // parameters, as in a model: noGrad still takes the kernel
      const before = runtime().counters.dispatches;
      const folded = noGrad(() => ops.foldBatchNorm(gpu[0], withBias ? gpu[1] : null, { weight: gpu[2], bias: gpu[3], state: state(gpu[4], gpu[5]) }));
      assert.is(runtime().counters.dispatches - before, 1, `${shape}: dispatches`);
      const label = `${shape}${withBias ? '' : ', no bias'}`;
      assertClose(await folded.weight.read(), foldBatchNormWeight.forward([w, gamma, variance], { eps: EPS }).data, shape, DEFAULT_TOL, `W' ${label}`);
      const b = withBias ? bias : { shape: [O], data: new Float64Array(O) };
      assertClose(await folded.bias.read(), foldBatchNormBias.forward([b, gamma, beta, mean, variance], { eps: EPS }).data, [O], DEFAULT_TOL, `b' ${label}`);
      for (const t of [...gpu, folded.weight, folded.bias]) t.dispose();
    }
  }
});

test('shapes that do not fit are refused', () => {
  const t = (shape: number[]) => zeros(shape);
  assert.throws(() => ops.foldBatchNorm(t([4, 3]), t([3]), { weight: t([4]), bias: t([4]), state: state(t([4]), t([4])) }), /of shape \[4\]/);
  assert.throws(() => ops.foldBatchNorm(t([4, 3]), null, { weight: t([4]), bias: t([4]), state: state(t([5]), t([4])) }), /of shape \[4\]/);
});

test.run();

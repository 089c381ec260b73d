// End to end: a tiny MLP regression trained with the engine's Adam converges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, liveTensorCount, mulberry32, optim, shutdown, tensor, tidy, uniform, type Tensor } from '../../src/index.ts';

const rt = await init({ quiet: true });
test.after(() => shutdown());

const STEPS = 150;
const FACTOR = 100;

test(`a 1-32-32-1 tanh MLP fits y = sin(3x) on 64 points: loss falls ${FACTOR}× in ${STEPS} Adam steps`, async () => {
  const rng = mulberry32(42);
  const n = 64;
  const xs = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  const x = tensor(xs, [n, 1]);
  const y = tensor(xs.map((v) => Math.sin(3 * v)), [n, 1]);
  // PyTorch's Linear init: U(±1/√fan_in); weights stored [out, in] and applied with transB.
  const layer = (fanIn: number, fanOut: number): Tensor[] => {
    const bound = 1 / Math.sqrt(fanIn);
    return [uniform([fanOut, fanIn], -bound, bound, rng, { requiresGrad: true }), uniform([fanOut], -bound, bound, rng, { requiresGrad: true })];
  };
  const params = [...layer(1, 32), ...layer(32, 32), ...layer(32, 1)];
  const [w1, b1, w2, b2, w3, b3] = params;
  const opt = new optim.Adam(params, { lr: 1e-2 });
  const startTensors = liveTensorCount();

  const step = (): Tensor => tidy(() => {
    opt.zeroGrad();
    const h1 = x.matmul(w1, { transB: true }).add(b1).tanh();
    const h2 = h1.matmul(w2, { transB: true }).add(b2).tanh();
    const loss = h2.matmul(w3, { transB: true }).add(b3).mse(y);
    loss.backward();
    opt.step();
    return loss;
  });

  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const loss = step();
    if (i === 0 || i === STEPS - 1 || i % 25 === 0) losses.push(await loss.item());
    loss.dispose();
    await rt.throttle();
  }
  const first = losses[0];
  const last = losses[losses.length - 1];
  assert.ok(Number.isFinite(last), `final loss ${last}`);
  assert.ok(last < first / FACTOR, `loss ${first.toExponential(3)} -> ${last.toExponential(3)} (only ${(first / last).toFixed(1)}×; trace ${losses.map((l) => l.toExponential(2)).join(' ')})`);

  opt.zeroGrad();
  assert.is(liveTensorCount(), startTensors, 'the training loop leaked tensors');
  opt.dispose();
  for (const t of [...params, x, y]) t.dispose();
});

test.run();

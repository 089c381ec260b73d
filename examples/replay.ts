// The autograd example's step, recorded once and replayed: the same losses, bit for bit, but the
// step's JavaScript (tape, tensors, pool) runs only for the first step, as CUDA graphs or jax.jit.
import { init, tensor, uniform, mulberry32, tidy, optim, shutdown, type Tensor } from 'fusegrad';

const gpu = await init();
const xs = Array.from({ length: 64 }, (_, i) => -1 + (2 * i) / 63);
const x = tensor(xs, [64, 1]);
const y = tensor(xs.map((v) => Math.sin(3 * v)), [64, 1]);

async function fit(replayed: boolean, steps = 300): Promise<void> {
  const random = mulberry32(0);
  const w1 = uniform([1, 32], -1, 1, random, { requiresGrad: true });
  const w2 = uniform([32, 1], -0.2, 0.2, random, { requiresGrad: true });
  const adam = new optim.Adam([w1, w2], { lr: 0.01 });
  const step = (): Tensor => tidy(() => {
    adam.zeroGrad();
    const l = x.matmul(w1).tanh().matmul(w2).sub(y).square().mean();
    l.backward();
    adam.step();
    return l;
  });
  const started = performance.now();
  let loss: Tensor;
  if (replayed) {
    const recorded = gpu.capture(step); // runs step 1 and records its GPU commands
    for (let s = 2; s <= steps; s++) {
      gpu.replay(recorded.recording); // Adam's step count and bias corrections advance by themselves
      await gpu.throttle();
    }
    loss = recorded.result; // every replay wrote its loss into the recorded step's loss tensor
    recorded.recording.dispose();
  } else {
    loss = step();
    for (let s = 2; s <= steps; s++) {
      loss.dispose();
      loss = step();
      await gpu.throttle();
    }
  }
  const value = await loss.item();
  const ms = (performance.now() - started) / steps;
  console.log(`${replayed ? 'replayed' : 'eager'}: loss ${value} after ${steps} steps, ${ms.toFixed(2)} ms/step`);
  for (const t of [loss, w1, w2]) t.dispose();
  adam.dispose();
}

await fit(false);
await fit(true);
shutdown();

// Fit y = sin(3x) with a two-layer MLP, on the GPU, with fusegrad's autograd.
import { init, tensor, uniform, mulberry32, tidy, optim, shutdown } from 'fusegrad';

const gpu = await init(); // dawn.node in Node, navigator.gpu in a browser
console.log(`adapter: ${gpu.report.description}`);
const xs = Array.from({ length: 64 }, (_, i) => -1 + (2 * i) / 63);
const x = tensor(xs, [64, 1]);
const y = tensor(xs.map((v) => Math.sin(3 * v)), [64, 1]);
const random = mulberry32(0);
const w1 = uniform([1, 32], -1, 1, random, { requiresGrad: true });
const w2 = uniform([32, 1], -0.2, 0.2, random, { requiresGrad: true });
const adam = new optim.Adam([w1, w2], { lr: 0.01 });
for (let step = 0; step <= 300; step++) {
  const loss = tidy(() => { // frees every temporary of the step when it returns
    adam.zeroGrad();
    const l = x.matmul(w1).tanh().matmul(w2).sub(y).square().mean();
    l.backward();
    adam.step();
    return l;
  });
  if (step % 100 === 0) console.log(`step ${step}: loss ${(await loss.item()).toFixed(5)}`);
  loss.dispose();
}
shutdown();

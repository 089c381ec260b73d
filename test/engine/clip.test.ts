/** Gradient clipping by global norm against a float64 computation. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, optim, shutdown, tensor } from '../../src/index.ts';

await init({ quiet: true });
test.after(() => shutdown());

async function clipped(grads: number[][], maxNorm: number): Promise<number[][]> {
  const params = grads.map((g) => tensor(new Float32Array(g.length), [g.length], { requiresGrad: true }));
  params.forEach((p, i) => { p.grad = tensor(grads[i], [grads[i].length]); });
  optim.clipGradNorm(params, maxNorm);
  return Promise.all(params.map(async (p) => [...(await p.grad!.read())]));
}

test('a global norm above the limit scales every gradient by maxNorm / norm', async () => {
  const grads = [[3, 0, 4], [12]]; // norm 13
  const out = await clipped(grads, 6.5);
  const scale = 6.5 / (13 + 1e-6);
  grads.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(out[i][j] - v * scale) < 1e-5, `${out[i][j]} vs ${v * scale}`)));
});

test('a norm under the limit leaves the gradients alone', async () => {
  const grads = [[0.3, -0.4], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]];
  const out = await clipped(grads, 100);
  grads.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(out[i][j] - v) < 1e-6)));
});

test.run();

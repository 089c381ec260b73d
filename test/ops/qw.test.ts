// qwLoss and qeLoss (src/ops/qw.ts: Q fused, the rest composed) against src/reference/qw.ts:
// the loss and its gradient with respect to the fused image. VIS and IR are targets with no
// gradient; the float64 central-difference check of the reference's f-gradient lives in
// test/reference/qw.test.ts (checkOp's own would also difference a and b, whose gradients the
// reference leaves at zero).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, init, shutdown, tensor, tidy } from '../../src/index.ts';
import { qeLoss, qwLoss } from '../../src/ops/qw.ts';
import * as ref from '../../src/reference/qw.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

// 264 windows in the last: more than the forward's 256 invocations, so some take two
const SHAPES = [[1, 1, 8, 8], [1, 1, 16, 24], [2, 1, 16, 24], [2, 1, 96, 88]];

for (const [name, gpuOp, refOp] of [['qwLoss', qwLoss, ref.qwLoss], ['qeLoss', qeLoss, ref.qeLoss]] as const) {
  test(`${name}: loss and gradient in the fused image`, async () => {
    const rng = mulberry32(name.length);
    for (const shape of SHAPES) {
      // fused near the average of VIS and IR, so Q_edge > 0 (its 0.7th power is real)
      const [vis, ir, noise] = [0, 1, 2].map(() => randomTensor(shape, rng));
      const fused = cpuTensor(shape, vis.data.map((v, i) => 0.4 * (v + ir.data[i]) + 0.2 * noise.data[i]));
      await checkOp({
        label: `${name} [${shape}]`, inputs: [vis, ir, fused], gpu: ([a, b, f]) => gpuOp(a, b, f),
        ref: refOp, params: undefined, requiresGrad: [false, false, true], centralDifference: false,
      });
    }
  });
}

test('VIS or IR that requires grad is refused (they are targets: Q has no gradient in them)', () => {
  const [a, b, f] = [0, 1, 2].map(() => tensor(new Float32Array(64).fill(0.5), [1, 1, 8, 8], { requiresGrad: true }));
  assert.throws(() => qwLoss(a, b, f), /targets/);
  [a, b, f].forEach((t) => t.dispose());
});

test('qeLoss with a floor: where Q_edge < 0 (NaN unfloored) the loss is 1 − floor^0.7 and the gradient 0', async () => {
  const rng = mulberry32(11);
  const shape = [1, 1, 8, 8];
  // texture where the sources are flat and flat where they have texture: edge maps that are
  // anti-correlated in the window, which often drives Q_edge below zero
  const textured = (left: boolean) => Float32Array.from({ length: 64 }, (_, i) => ((i % 8 < 4) === left ? rng() - 0.5 : 0));
  for (let attempt = 0; attempt < 200; attempt++) {
    const [a, b] = [0, 1].map(() => tensor(textured(true), shape));
    const f = tensor(textured(false), shape, { requiresGrad: true });
    const plain = await tidy(() => qeLoss(a, b, f)).item();
    if (!Number.isNaN(plain)) {
      [a, b, f].forEach((t) => t.dispose());
      continue;
    }
    const floored = tidy(() => {
      const loss = qeLoss(a, b, f, 1e-6);
      backward(loss);
      return loss;
    });
    assert.ok(Math.abs(await floored.item() - (1 - 1e-6 ** 0.7)) < 1e-6);
    assert.ok((await f.grad!.read()).every((g) => g === 0), 'no gradient below the floor');
    [a, b, f, floored].forEach((t) => t.dispose());
    return;
  }
  assert.unreachable('no random case with a negative Q_edge in 200 tries');
});

test.run();

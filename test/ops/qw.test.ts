// qwLoss and qeLoss (src/ops/qw.ts, composed from primitives) against src/reference/qw.ts:
// the loss and its gradient with respect to the fused image. VIS and IR are targets with no
// gradient; the float64 central-difference check of the reference's f-gradient lives in
// test/reference/qw.test.ts (checkOp's own would also difference a and b, whose gradients the
// reference leaves at zero).
import { test } from 'uvu';
import { init, shutdown } from '../../src/index.ts';
import { qeLoss, qwLoss } from '../../src/ops/qw.ts';
import * as ref from '../../src/reference/qw.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

const SHAPES = [[1, 1, 8, 8], [1, 1, 16, 24], [2, 1, 16, 24]];

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

test.run();

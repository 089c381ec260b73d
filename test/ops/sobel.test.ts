// Sobel gradients (shaders/sobel.wgsl, sobel_backward.wgsl) against src/reference/sobel.ts for
// every border mode, normalised or not, on 1-pixel, odd and batched images.
import { test } from 'uvu';
import { init, ops, shutdown } from '../../src/index.ts';
import * as ref from '../../src/reference/sobel.ts';
import { mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

const SHAPES = [[1, 1], [1, 9], [7, 1], [7, 5], [2, 33, 2], [3, 2, 17, 9]];

for (const border of ['zero', 'replicate', 'reflect', 'symmetric'] as const) {
  for (const normalise of [false, true]) {
    test(`sobel ${border}${normalise ? ' normalised' : ''}: forward and gradient`, async () => {
      const rng = mulberry32(border.length * 31 + Number(normalise));
      for (const shape of SHAPES) {
        await checkOp({
          label: `sobel ${border} [${shape}]`, inputs: [randomTensor(shape, rng)],
          gpu: ([x]) => ops.sobel(x, { border, normalise }), ref: ref.sobel, params: { border, normalise },
        });
      }
    });
  }
}

test.run();

// Register blocks of the generated vec4 matmul core (4×4 for discrete GPUs, 16×16 for
// SwiftShader, 8×8 a candidate for GPUs) against the float64 reference, whichever this adapter
// uses by default, on shapes that do not fill a 64×64 tile or a 16×16 block.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, zeros } from '../../src/index.ts';
import * as ref from '../../src/reference/matmul.ts';
import { mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => {
  delete process.env.FUSEGRAD_MATMUL_BLOCK;
  shutdown();
});

const SHAPES: [number, number, number][] = [[4, 4, 4], [20, 8, 12], [68, 36, 132], [132, 256, 68]]; // M, K, N

for (const block of ['4x4', '8x8', '16x16']) {
  test(`vec4 core with a ${block} block: all transposes`, async () => {
    process.env.FUSEGRAD_MATMUL_BLOCK = block;
    const rng = mulberry32(block.length);
    for (const [M, K, N] of SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = randomTensor(transA ? [K, M] : [M, K], rng);
          const b = randomTensor(transB ? [N, K] : [K, N], rng);
          await checkOp({
            label: `matmul ${block} ${M}×${K}×${N} tA=${transA} tB=${transB}`, inputs: [a, b],
            gpu: ([x, y]) => ops.matmul(x, y, { transA, transB }), ref: ref.matmul, params: { transA, transB },
            forwardTol: { rtol: 1e-4, atol: 1e-5 * Math.sqrt(K) }, gradTol: { rtol: 1e-4, atol: 1e-5 * Math.sqrt(Math.max(M, N, K)) },
            centralDifference: false,
          });
        }
      }
    }
  });
}

test('a malformed FUSEGRAD_MATMUL_BLOCK is an error that says what is allowed', () => {
  process.env.FUSEGRAD_MATMUL_BLOCK = '5x5';
  try {
    assert.throws(() => ops.matmul(zeros([4, 4]), zeros([4, 4])), /RxC with R and C each 4, 8 or 16/);
  } finally {
    delete process.env.FUSEGRAD_MATMUL_BLOCK;
  }
});

test.run();

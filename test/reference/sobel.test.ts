import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SobelParams } from '../../src/reference/sobel.ts';
import type { CpuTensor } from '../../src/reference/tensor.ts';
import { borderIndex } from '../../src/reference/border.ts';
import { pad } from '../../src/reference/shape.ts';
import { SOBEL_X, SOBEL_Y, sobel } from '../../src/reference/sobel.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { close, gradOk, tensorIs } from './helpers.ts';

// [[1,2,3],[4,5,6],[7,8,9]]: a ramp with d/dx = 1 and d/dy = 3 per pixel.
const ramp = cpuTensor([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const at = (t: CpuTensor, c: number, y: number, x: number) => t.data[(c * 3 + y) * 3 + x];

test('borderIndex: the four modes', () => {
  const n = 4; // a b c d
  const read = (mode: Parameters<typeof borderIndex>[2]) => [-3, -2, -1, 4, 5, 6].map((i) => borderIndex(i, n, mode));
  assert.equal(read('zero'), [-1, -1, -1, -1, -1, -1]);
  assert.equal(read('replicate'), [0, 0, 0, 3, 3, 3]);
  assert.equal(read('reflect'), [3, 2, 1, 2, 1, 0]); // d c b | a b c d | c b a
  assert.equal(read('symmetric'), [2, 1, 0, 3, 2, 1]); // c b a | a b c d | d c b
  assert.equal([-1, 1, 7].map((i) => borderIndex(i, 1, 'reflect')), [0, 0, 0]); // size 1: replicate
  assert.equal([-1, 1, 2].map((i) => borderIndex(i, 1, 'symmetric')), [0, 0, 0]);
});

test('forward: 3×3 ramp by hand', () => {
  // Centre: gx = (3−1) + 2·(6−4) + (9−7) = 8;  gy = (7+2·8+9) − (1+2·2+3) = 24.
  const zero = sobel.forward([ramp], { border: 'zero' });
  assert.equal(zero.shape, [2, 3, 3]);
  close([at(zero, 0, 1, 1), at(zero, 1, 1, 1)], [8, 24]);
  // Corner (0,0), zero border: gx = 2·2 + 1·5 = 9;  gy = 2·4 + 1·5 = 13.
  close([at(zero, 0, 0, 0), at(zero, 1, 0, 0)], [9, 13]);
  // Replicate corner: every column difference is 1 (weights 1+2+1), every row difference 3.
  const rep = sobel.forward([ramp], { border: 'replicate' });
  close([at(rep, 0, 0, 0), at(rep, 1, 0, 0)], [4, 12]);
  // Reflect corner: x[−1] = x[1], so both differences vanish at (0,0).
  const refl = sobel.forward([ramp], { border: 'reflect' });
  close([at(refl, 0, 0, 0), at(refl, 1, 0, 0), at(refl, 0, 1, 1)], [0, 0, 8]);
  // Symmetric reads the same single out-of-range pixel as replicate.
  tensorIs(sobel.forward([ramp], { border: 'symmetric' }), [2, 3, 3], rep.data);
  // normalise divides by 8.
  tensorIs(sobel.forward([ramp], { border: 'zero', normalise: true }), [2, 3, 3], zero.data.map((v) => v / 8));
});

test('forward: a single row (H = 1) in every border mode', () => {
  const row = cpuTensor([1, 4], [1, 2, 4, 8]);
  // Rows all read row 0 except under 'zero'; the column weights then sum to 4.
  tensorIs(sobel.forward([row], { border: 'replicate' }), [2, 1, 4], [4, 12, 24, 16, 0, 0, 0, 0]);
  tensorIs(sobel.forward([row], { border: 'symmetric' }), [2, 1, 4], [4, 12, 24, 16, 0, 0, 0, 0]);
  tensorIs(sobel.forward([row], { border: 'reflect' }), [2, 1, 4], [0, 12, 24, 0, 0, 0, 0, 0]);
  // Zero: only the middle kernel row (weight 2) sees the image; d/dy reads only zero rows.
  tensorIs(sobel.forward([row], { border: 'zero' }), [2, 1, 4], [4, 6, 12, -8, 0, 0, 0, 0]);
  const one = cpuTensor([1, 1], [5]);
  tensorIs(sobel.forward([one], { border: 'reflect' }), [2, 1, 1], [0, 0]);
  tensorIs(sobel.forward([one], { border: 'zero' }), [2, 1, 1], [0, 0]);
});

test('shape: [..., H, W] -> [..., 2, H, W]; rank < 2 is an error', () => {
  assert.equal(sobel.forward([randomTensor([2, 3, 4, 5], mulberry32(1))], { border: 'zero' }).shape, [2, 3, 2, 4, 5]);
  assert.throws(() => sobel.forward([cpuTensor([3])], { border: 'zero' }), /\[\.\.\., H, W\]/);
});

/** Independent route for H, W ≥ 2: pad by 1 with the same border, then a valid 3×3 correlation. */
function sobelViaPad(x: CpuTensor, mode: 'zero' | 'reflect' | 'replicate'): Float64Array {
  const [H, W] = x.shape;
  const p = pad.forward([x], { pads: [[1, 1], [1, 1]], mode });
  const out = new Float64Array(2 * H * W);
  [SOBEL_X, SOBEL_Y].forEach((k, c) => {
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        let s = 0;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += k[i][j] * p.data[(y + i) * (W + 2) + xx + j];
        out[(c * H + y) * W + xx] = s;
      }
    }
  });
  return out;
}

test('forward agrees with pad + plain correlation', () => {
  const x = randomTensor([6, 9], mulberry32(4));
  for (const mode of ['zero', 'reflect', 'replicate'] as const) {
    close(sobel.forward([x], { border: mode }).data, sobelViaPad(x, mode), 1e-12, mode);
  }
});

const SHAPES = [[1, 1], [1, 7], [7, 1], [2, 2], [5, 33], [2, 3, 6, 7]];
for (const border of ['zero', 'replicate', 'reflect', 'symmetric'] as const) {
  for (const normalise of [false, true]) {
    test(`gradients: sobel ${border}${normalise ? ' normalised' : ''}`, () => {
      const rng = mulberry32(border.length + Number(normalise));
      const params: SobelParams = { border, normalise };
      for (const shape of SHAPES) gradOk(sobel, [randomTensor(shape, rng)], params, `sobel ${border} [${shape}]`);
    });
  }
}

test.run();

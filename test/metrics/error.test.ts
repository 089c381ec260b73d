// PSNR and RMSE with the fusion convention MSE = (MSE(IR, F) + MSE(VIS, F)) / 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fusionPsnr, fusionRmse, meanSquaredError } from '../../src/metrics/index.ts';
import { close, image, noise } from './fixtures.ts';

test('IR = 0, VIS = 10, F = 5: both MSEs are 25, RMSE 5, PSNR 10 log10(65025 / 25) = 34.1514 dB', () => {
  const ir = image(3, 3, () => 0), vis = image(3, 3, () => 10), f = image(3, 3, () => 5);
  assert.is(meanSquaredError(ir, f), 25);
  assert.is(fusionRmse(ir, vis, f), 5);
  close(fusionPsnr(ir, vis, f), 10 * Math.log10(2601), 1e-12, 'PSNR');
  close(fusionPsnr(ir, vis, f), 34.15140352195873, 1e-9, 'PSNR value');
});

test('one of four pixels off by 255 in F: MSE 65025/4, RMSE 127.5, PSNR 10 log10 4 = 6.0206 dB', () => {
  const zero = image(2, 2, () => 0);
  const f = { width: 2, height: 2, data: [0, 0, 0, 255] };
  assert.is(fusionRmse(zero, zero, f), 127.5);
  close(fusionPsnr(zero, zero, f), 10 * Math.log10(4), 1e-12, 'PSNR');
});

test('the two source errors are averaged before the root (not RMSEs averaged)', () => {
  // MSE to IR 0, to VIS 100: RMSE = sqrt(50) = 7.07, not (0 + 10)/2 = 5.
  const a = image(2, 2, () => 20), b = image(2, 2, () => 30);
  close(fusionRmse(a, b, a), Math.sqrt(50), 1e-12, 'RMSE');
});

test('identical images: RMSE 0 and PSNR Infinity', () => {
  const x = noise(10, 10, 1);
  assert.is(fusionRmse(x, x, x), 0);
  assert.is(fusionPsnr(x, x, x), Infinity);
});

test.run();

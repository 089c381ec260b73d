import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resizeBilinear, resizeImage } from '../../src/io/resample.ts';
import { rgbImage } from '../../src/io/image.ts';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  assert.is(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) assert.unreachable(`index ${i}: ${a[i]} vs ${b[i]}`);
}

test('a constant image stays constant at any size', () => {
  const src = new Float32Array(7 * 5).fill(0.3);
  for (const [w, h] of [[1, 1], [3, 2], [7, 5], [20, 13], [2, 40]]) {
    close(resizeBilinear(src, 7, 5, w, h), new Float32Array(w * h).fill(0.3));
  }
});

test('1-pixel sides: upsampling repeats, downsampling to 1 averages the two middle taps', () => {
  close(resizeBilinear(Float32Array.of(0.7), 1, 1, 4, 3), new Float32Array(12).fill(0.7));
  close(resizeBilinear(Float32Array.of(0, 1, 2, 3), 4, 1, 1, 1), [1.5]); // samples x = 1.5
  close(resizeBilinear(Float32Array.of(0, 1, 2), 1, 3, 2, 1), [1, 1]); // a 1×3 column to 2×1
  close(resizeBilinear(Float32Array.of(0, 1), 2, 1, 4, 1), [0, 0.25, 0.75, 1]);
});

test('a ramp resized matches the analytic values (PyTorch align_corners=False)', () => {
  // Input f(x) = x on 8 pixels; output pixel o samples s = (o + 0.5)·8/5 − 0.5, clamped to [0, 7].
  const ramp = Float32Array.from({ length: 8 }, (_, x) => x);
  const expected = [0, 1, 2, 3, 4].map((o) => Math.min(7, Math.max(0, (o + 0.5) * 1.6 - 0.5)));
  close(resizeBilinear(ramp, 8, 1, 5, 1), expected);
  // Upsampling 4 → 8: torch.nn.functional.interpolate(arange(4), 8, mode='linear') values.
  close(resizeBilinear(Float32Array.of(0, 1, 2, 3), 4, 1, 8, 1), [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
  // 2-D: f(x, y) = x + 10y is bilinear, so inside the clamped border it is reproduced exactly.
  const w = 6, h = 4, W = 9, H = 7;
  const src = Float32Array.from({ length: w * h }, (_, i) => (i % w) + 10 * Math.floor(i / w));
  const out = resizeBilinear(src, w, h, W, H);
  const sx = (x: number) => Math.min(w - 1, Math.max(0, (x + 0.5) * (w / W) - 0.5));
  const sy = (y: number) => Math.min(h - 1, Math.max(0, (y + 0.5) * (h / H) - 0.5));
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    assert.ok(Math.abs(out[y * W + x] - (sx(x) + 10 * sy(y))) < 1e-5);
  }
});

test('resizeImage keeps channels separate', () => {
  const img = rgbImage(2, 1, Float32Array.of(0, 1, 0.5, 1, 0, 0.5));
  const out = resizeImage(img, 4, 1);
  assert.is(out.channels, 3);
  close(out.data, [0, 1, 0.5, 0.25, 0.75, 0.5, 0.75, 0.25, 0.5, 1, 0, 0.5]);
  assert.is.not(resizeImage(img, 2, 1).data, img.data); // a copy even when the size is unchanged
});

test('bad sizes are programming errors', () => {
  assert.throws(() => resizeBilinear(new Float32Array(4), 2, 2, 0, 3), RangeError);
  assert.throws(() => resizeBilinear(new Float32Array(5), 2, 2, 3, 3), RangeError);
});

test.run();

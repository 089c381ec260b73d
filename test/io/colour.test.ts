import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeLuma, splitLuma, toGrey, YCBCR } from '../../src/io/colour.ts';
import { greyImage, rgbImage } from '../../src/io/image.ts';

function randomRgb(n: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: n * 3 }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('JFIF/PIL constants match the published ones', () => {
  const k = YCBCR.jfif;
  assert.ok(Math.abs(k.cb * 0.299 - 0.168736) < 1e-6); // Cb = −0.168736 R − 0.331264 G + 0.5 B + ½
  assert.ok(Math.abs(k.cb * 0.587 - 0.331264) < 1e-6);
  assert.ok(Math.abs(k.cr * 0.587 - 0.418688) < 1e-6); // Cr = 0.5 R − 0.418688 G − 0.081312 B + ½
  assert.ok(Math.abs(k.cr * 0.114 - 0.081312) < 1e-6);
  assert.ok(Math.abs(k.gCb - 0.344136) < 1e-6);
  assert.ok(Math.abs(k.gCr - 0.714136) < 1e-6);
  assert.ok(Math.abs(k.rCr - 1.402) < 1e-12);
  assert.ok(Math.abs(k.bCb - 1.772) < 1e-12);
});

test('known colours (JFIF): white, red, grey', () => {
  const { y, cb, cr } = splitLuma(rgbImage(3, 1, Float32Array.from([1, 1, 1, 1, 0, 0, 0.5, 0.5, 0.5])));
  assert.ok(maxDiff(y, [1, 0.299, 0.5]) < 1e-6);
  assert.ok(maxDiff(cb, [0.5, 0.5 - 0.168736, 0.5]) < 1e-6);
  assert.ok(maxDiff(cr, [0.5, 1, 0.5]) < 1e-6);
});

test('OpenCV convention: the exact formulas', () => {
  const { y, cb, cr } = splitLuma(rgbImage(1, 1, Float32Array.from([0.2, 0.6, 0.9])), 'opencv');
  const Y = 0.299 * 0.2 + 0.587 * 0.6 + 0.114 * 0.9;
  assert.ok(Math.abs(y[0] - Y) < 1e-6);
  assert.ok(Math.abs(cr[0] - ((0.2 - Y) * 0.713 + 0.5)) < 1e-6);
  assert.ok(Math.abs(cb[0] - ((0.9 - Y) * 0.564 + 0.5)) < 1e-6);
  const back = mergeLuma(Float32Array.of(0.5), Float32Array.of(0.6), Float32Array.of(0.4), 1, 1, 'opencv');
  assert.ok(maxDiff(back.data, [0.5 + 1.403 * -0.1, 0.5 - 0.714 * -0.1 - 0.344 * 0.1, 0.5 + 1.773 * 0.1]) < 1e-6);
});

test('round trips: JFIF exact, OpenCV within its rounding', () => {
  const n = 1000;
  const img = rgbImage(50, 20, randomRgb(n));
  const j = splitLuma(img);
  assert.ok(maxDiff(mergeLuma(j.y, j.cb, j.cr, 50, 20).data, img.data) < 1e-6);
  const o = splitLuma(img, 'opencv');
  assert.ok(maxDiff(mergeLuma(o.y, o.cb, o.cr, 50, 20, 'opencv').data, img.data) < 3e-3);
});

test('grey input: neutral chroma, and merging neutral chroma gives R = G = B = Y', () => {
  const g = greyImage(2, 2, Float32Array.from([0, 0.25, 0.5, 1]));
  const s = splitLuma(g);
  assert.equal([...s.cb], [0.5, 0.5, 0.5, 0.5]);
  for (const conv of ['jfif', 'opencv'] as const) {
    const m = mergeLuma(s.y, s.cb, s.cr, 2, 2, conv);
    assert.equal([...m.data], [0, 0, 0, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 1, 1, 1]);
  }
});

test('mergeLuma clamps to [0, 1]', () => {
  const m = mergeLuma(Float32Array.of(1.2, -0.3), Float32Array.of(0.9, 0.1), Float32Array.of(0.9, 0.1), 2, 1);
  assert.ok(m.data.every((v) => v >= 0 && v <= 1));
  assert.throws(() => mergeLuma(new Float32Array(3), new Float32Array(4), new Float32Array(4), 2, 2), RangeError);
});

test('toGrey: PIL L weights; grey input copied', () => {
  const g = toGrey(rgbImage(1, 1, Float32Array.from([1, 0.5, 0.25])));
  assert.is(g.channels, 1);
  assert.ok(Math.abs(g.data[0] - (0.299 + 0.587 * 0.5 + 0.114 * 0.25)) < 1e-6);
  const src = greyImage(1, 1, Float32Array.of(0.3));
  const copy = toGrey(src);
  assert.is.not(copy.data, src.data);
  assert.equal([...copy.data], [...src.data]);
});

test.run();

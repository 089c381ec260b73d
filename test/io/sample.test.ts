import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeSamplePair } from '../../src/io/sample.ts';
import type { Box } from '../../src/io/sample.ts';
import { toGrey } from '../../src/io/colour.ts';
import type { Image } from '../../src/io/image.ts';

function meanIn(img: Image, b: Box): number {
  let s = 0;
  for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) s += img.data[y * img.width + x];
  return s / (b.w * b.h);
}

/** Mean absolute difference between horizontally adjacent pixels: a measure of texture/edges. */
function detail(img: Image): number {
  let s = 0;
  for (let y = 0; y < img.height; y++) for (let x = 1; x < img.width; x++) {
    s += Math.abs(img.data[y * img.width + x] - img.data[y * img.width + x - 1]);
  }
  return s / (img.height * (img.width - 1));
}

test('shapes and value range', () => {
  const { ir, vis, hotSpots } = makeSamplePair();
  assert.equal([ir.width, ir.height, ir.channels, ir.data.length], [256, 192, 1, 256 * 192]);
  assert.equal([vis.width, vis.height, vis.channels, vis.data.length], [256, 192, 3, 256 * 192 * 3]);
  assert.ok(ir.data.every((v) => v >= 0 && v <= 1));
  assert.ok(vis.data.every((v) => v >= 0 && v <= 1));
  assert.is(hotSpots.length, 3);
  for (const b of hotSpots) assert.ok(b.w > 4 && b.h > 4 && b.x >= 0 && b.y >= 0 && b.x + b.w <= 256 && b.y + b.h <= 192, JSON.stringify(b));
});

test('deterministic', () => {
  const a = makeSamplePair(), b = makeSamplePair();
  assert.equal(a.ir.data, b.ir.data);
  assert.equal(a.vis.data, b.vis.data);
  assert.equal(a.hotSpots, b.hotSpots);
});

test('IR is much hotter than VIS inside every hot spot', () => {
  const { ir, vis, hotSpots } = makeSamplePair();
  const visY = toGrey(vis);
  for (const b of hotSpots) {
    const hot = meanIn(ir, b), seen = meanIn(visY, b);
    assert.ok(hot > 0.55 && seen < 0.1 && hot - seen > 0.5, `box ${JSON.stringify(b)}: IR ${hot}, VIS ${seen}`);
    assert.ok(hot > meanIn(ir, { x: 0, y: 0, w: 256, h: 192 }) + 0.2);
  }
});

test('VIS has more fine detail than IR', () => {
  const { ir, vis } = makeSamplePair();
  const d = detail(toGrey(vis)), e = detail(ir);
  assert.ok(d > 2 * e, `VIS ${d}, IR ${e}`);
});

test('other sizes work and keep the hot spots inside the image', () => {
  for (const [w, h] of [[64, 48], [500, 329], [100, 200]]) {
    const { ir, vis, hotSpots } = makeSamplePair(w, h);
    assert.is(ir.data.length, w * h);
    assert.is(vis.data.length, w * h * 3);
    const visY = toGrey(vis);
    for (const b of hotSpots) {
      assert.ok(b.x + b.w <= w && b.y + b.h <= h);
      assert.ok(meanIn(ir, b) - meanIn(visY, b) > 0.4, `${w}x${h} ${JSON.stringify(b)}`);
    }
  }
  assert.throws(() => makeSamplePair(8, 8), RangeError);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FusegradError } from '../../src/errors.ts';
import { decodeImage } from '../../src/io/decode.ts';
import { encodePng } from '../../src/io/encode.ts';
import { greyImage, imageFromRgba, rgbImage } from '../../src/io/image.ts';
import { makePng } from './png-writer.ts';

function throwsUserError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, FusegradError);
    const msg = (err as Error).message;
    for (const p of parts) assert.ok(typeof p === 'string' ? msg.includes(p) : p.test(msg), `message "${msg}" lacks ${p}`);
    return;
  }
  assert.unreachable('no error thrown');
}

function closeTo(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  assert.is(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) assert.unreachable(`index ${i}: ${a[i]} vs ${b[i]}`);
}

const levels = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => ((i * 37 + seed) % 256) / 255);

test('8-bit grey PNG round trip is exact', () => {
  const img = greyImage(7, 5, levels(35, 3));
  const out = decodeImage(encodePng(img), 'g.png');
  assert.is(out.format, 'png');
  assert.is(out.channels, 1);
  assert.is(out.width, 7);
  assert.is(out.height, 5);
  assert.equal(out.warnings, []);
  closeTo(out.data, img.data, 0);
});

test('8-bit RGB PNG round trip is exact', () => {
  const img = rgbImage(6, 4, levels(72, 11));
  const out = decodeImage(encodePng(img), 'c.png');
  assert.is(out.channels, 3);
  closeTo(out.data, img.data, 0);
});

test('encodePng rounds and clamps', () => {
  const img = greyImage(5, 1, Float32Array.from([-0.5, 0.5 / 255, 1.49 / 255, 2, NaN]));
  assert.equal([...decodeImage(encodePng(img), 'x.png').data].map((v) => Math.round(v * 255)), [0, 1, 1, 255, 0]);
});

test('an RGB PNG whose channels are equal decodes as grey', () => {
  const grey = levels(12, 5);
  const rgb = new Float32Array(36);
  grey.forEach((v, i) => rgb.fill(v, 3 * i, 3 * i + 3));
  const out = decodeImage(encodePng(rgbImage(4, 3, rgb)), 'ir-as-rgb.png');
  assert.is(out.channels, 1);
  closeTo(out.data, grey, 0);
});

test('16-bit grey PNG (written by pngjs) keeps full precision', () => {
  const values = Uint16Array.from([0x1234, 0, 65535, 0x00ff, 0xff00, 1]);
  const png = pngjs.PNG.sync.write(
    { width: 3, height: 2, data: values } as unknown as pngjs.PNG,
    { colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false },
  );
  const out = decodeImage(new Uint8Array(png), 'deep.png');
  assert.is(out.bitDepth, 16);
  assert.is(out.channels, 1);
  assert.is(out.data[0], Math.fround(0x1234 / 65535));
  closeTo(out.data, [...values].map((v) => v / 65535), 1e-7);
});

test('16-bit RGB and RGBA PNGs', () => {
  const rgb = [0x1234, 0x5678, 0x9abc, 1, 2, 3];
  const out = decodeImage(makePng({ width: 2, height: 1, bitDepth: 16, colorType: 2, samples: rgb }), 'rgb16.png');
  assert.is(out.channels, 3);
  closeTo(out.data, rgb.map((v) => v / 65535), 1e-7);
  const rgba = makePng({ width: 1, height: 1, bitDepth: 16, colorType: 6, samples: [0x1234, 0x1234, 0x1234, 65535] });
  const o2 = decodeImage(rgba, 'rgba16.png');
  assert.is(o2.channels, 1);
  assert.equal(o2.warnings, []);
  assert.is(o2.data[0], Math.fround(0x1234 / 65535));
});

test('palette PNG (8-bit and 4-bit indices)', () => {
  const palette: [number, number, number][] = [[255, 0, 0], [0, 128, 255], [10, 10, 10]];
  for (const bitDepth of [8, 4] as const) {
    const out = decodeImage(makePng({ width: 3, height: 2, bitDepth, colorType: 3, samples: [0, 1, 2, 2, 1, 0], palette }), 'pal.png');
    assert.is(out.channels, 3);
    assert.is(out.bitDepth, 8);
    const expected = [0, 1, 2, 2, 1, 0].flatMap((k) => palette[k].map((v) => v / 255));
    closeTo(out.data, expected, 1e-7);
  }
});

test('grey palette PNG decodes as grey', () => {
  const palette: [number, number, number][] = [[0, 0, 0], [77, 77, 77], [255, 255, 255]];
  const out = decodeImage(makePng({ width: 3, height: 1, bitDepth: 2, colorType: 3, samples: [2, 1, 0], palette }), 'p.png');
  assert.is(out.channels, 1);
  closeTo(out.data, [1, 77 / 255, 0], 1e-7);
});

test('low bit-depth grey PNGs scale to [0, 1]', () => {
  const out = decodeImage(makePng({ width: 4, height: 1, bitDepth: 2, colorType: 0, samples: [0, 1, 2, 3] }), 'g2.png');
  closeTo(out.data, [0, 1 / 3, 2 / 3, 1], 1e-7);
  const o1 = decodeImage(makePng({ width: 9, height: 1, bitDepth: 1, colorType: 0, samples: [1, 0, 1, 1, 0, 0, 0, 1, 1] }), 'g1.png');
  closeTo(o1.data, [1, 0, 1, 1, 0, 0, 0, 1, 1], 0);
});

test('grey+alpha PNG: alpha ignored, with a warning when not opaque', () => {
  const opaque = decodeImage(makePng({ width: 2, height: 1, bitDepth: 8, colorType: 4, samples: [10, 255, 200, 255] }), 'ga.png');
  assert.is(opaque.channels, 1);
  assert.equal(opaque.warnings, []);
  closeTo(opaque.data, [10 / 255, 200 / 255], 1e-7);
  const seeThrough = decodeImage(makePng({ width: 2, height: 1, bitDepth: 8, colorType: 4, samples: [10, 0, 200, 128] }), 'ga.png');
  closeTo(seeThrough.data, [10 / 255, 200 / 255], 1e-7);
  assert.is(seeThrough.warnings.length, 1);
  assert.match(seeThrough.warnings[0], /ga\.png: .*ignores alpha/);
});

test('RGBA PNG with transparency: colours kept as stored', () => {
  const out = decodeImage(makePng({ width: 2, height: 1, bitDepth: 8, colorType: 6, samples: [1, 2, 3, 0, 4, 5, 6, 255] }), 'a.png');
  assert.is(out.channels, 3);
  closeTo(out.data, [1, 2, 3, 4, 5, 6].map((v) => v / 255), 1e-7);
  assert.is(out.warnings.length, 1);
});

test('tRNS colour key: the keyed pixels keep their colour (pngjs would blank them)', () => {
  const out = decodeImage(makePng({ width: 3, height: 1, bitDepth: 8, colorType: 0, samples: [7, 50, 7], trns: [0, 7] }), 'k.png');
  closeTo(out.data, [7 / 255, 50 / 255, 7 / 255], 1e-7);
  assert.is(out.warnings.length, 1);
  const palette: [number, number, number][] = [[9, 9, 9], [200, 100, 0]];
  const pal = decodeImage(makePng({ width: 2, height: 1, bitDepth: 8, colorType: 3, samples: [0, 1], palette, trns: [0] }), 'pk.png');
  closeTo(pal.data, [9, 9, 9, 200, 100, 0].map((v) => v / 255), 1e-7);
});

function greyRgba(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) d.fill((i * 13) % 256, 4 * i, 4 * i + 3).fill(255, 4 * i + 3, 4 * i + 4);
  return d;
}

test('JPEG from jpeg-js: grey content gives one channel, colour gives three', () => {
  const grey = jpeg.encode({ width: 16, height: 8, data: greyRgba(16, 8) }, 95).data;
  const g = decodeImage(new Uint8Array(grey), 'ir.jpg');
  assert.is(g.format, 'jpeg');
  assert.is(g.channels, 1);
  assert.is(g.width, 16);
  assert.is(g.height, 8);
  const src = greyRgba(16, 8);
  let maxErr = 0;
  for (let i = 0; i < 128; i++) maxErr = Math.max(maxErr, Math.abs(g.data[i] * 255 - src[4 * i]));
  assert.ok(maxErr < 40, `JPEG error ${maxErr}`); // lossy, but the same picture
  const colour = greyRgba(16, 8);
  for (let i = 0; i < 128; i++) colour[4 * i] = 255; // strong red
  const c = decodeImage(new Uint8Array(jpeg.encode({ width: 16, height: 8, data: colour }, 95).data), 'vis.jpg');
  assert.is(c.channels, 3);
});

test('imageFromRgba (the browser path) matches the decoders', () => {
  const img = imageFromRgba(greyRgba(3, 1), 3, 1);
  assert.is(img.channels, 1);
  closeTo(img.data, [0, 13 / 255, 26 / 255], 1e-7);
});

// ---- errors: all FusegradErrors naming the file ----

test('empty file', () => throwsUserError(() => decodeImage(new Uint8Array(0), 'ir.png'), 'ir.png', 'empty'));

test('unknown formats are named from their magic bytes', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  throwsUserError(() => decodeImage(enc('GIF89a....'), 'ir.png'), 'ir.png: not a PNG or JPEG file (starts with 0x47 0x49 0x46 0x38: a GIF?); convert it to PNG');
  throwsUserError(() => decodeImage(enc('BM\0\0\0\0'), 'a.png'), 'a BMP?');
  throwsUserError(() => decodeImage(Uint8Array.from([0x49, 0x49, 0x2a, 0, 1]), 'a.tif'), 'a TIFF?');
  throwsUserError(() => decodeImage(enc('RIFF\0\0\0\0WEBPVP8 '), 'a.png'), 'a WebP?');
  throwsUserError(() => decodeImage(enc('hello world'), 'notes.png'), 'notes.png: not a PNG or JPEG file (starts with 0x68 0x65 0x6c 0x6c); convert');
  throwsUserError(() => decodeImage(Uint8Array.from([0x42]), 'b.png'), 'starts with 0x42');
});

test('truncated and corrupt PNGs', () => {
  const good = encodePng(greyImage(32, 32, levels(1024, 1)));
  for (const cut of [10, 30, 60, good.length - 20, good.length - 1]) {
    throwsUserError(() => decodeImage(good.subarray(0, cut), 'cut.png'), 'cut.png', 'truncated or corrupt');
  }
  const flipped = good.slice();
  flipped[50] ^= 0xff; // inside IDAT: the CRC no longer matches
  throwsUserError(() => decodeImage(flipped, 'bad.png'), 'bad.png', 'truncated or corrupt');
});

test('truncated and corrupt JPEGs', () => {
  const good = new Uint8Array(jpeg.encode({ width: 32, height: 32, data: greyRgba(32, 32) }, 90).data);
  for (const cut of [3, 20, 200, Math.floor(good.length / 2), good.length - 3]) {
    throwsUserError(() => decodeImage(good.subarray(0, cut), 'cut.jpg'), 'cut.jpg', 'truncated or corrupt');
  }
});

test('zero-sized images', () => {
  throwsUserError(() => decodeImage(makePng({ width: 0, height: 4, bitDepth: 8, colorType: 0, samples: [] }), 'z.png'), 'z.png', '0×4');
  const j = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: greyRgba(8, 8) }, 90).data);
  const sof = j.findIndex((b, i) => b === 0xff && j[i + 1] === 0xc0);
  j[sof + 7] = 0; j[sof + 8] = 0; // width := 0
  throwsUserError(() => decodeImage(j, 'z.jpg'), 'z.jpg', '0×8');
});

test('images over the pixel limit are refused before decoding', () => {
  const png = encodePng(greyImage(40, 30));
  throwsUserError(() => decodeImage(png, 'big.png', { maxPixels: 1000 }), 'big.png: 40×30 is 1,200 pixels, more than the limit of 1,000');
  assert.is(decodeImage(png, 'ok.png', { maxPixels: 1200 }).width, 40);
  // A header claiming 100000 × 100000 fails on the default limit without allocating anything.
  const huge = makePng({ width: 1, height: 1, bitDepth: 8, colorType: 0, samples: [0] });
  new DataView(huge.buffer).setUint32(16, 100000);
  new DataView(huge.buffer).setUint32(20, 100000);
  throwsUserError(() => decodeImage(huge, 'huge.png'), 'huge.png', '67,108,864');
  const j = new Uint8Array(jpeg.encode({ width: 40, height: 30, data: greyRgba(40, 30) }, 90).data);
  throwsUserError(() => decodeImage(j, 'big.jpg', { maxPixels: 1000 }), 'big.jpg: 40×30');
});

// ---- real RoadScene pairs, when the shared data folder is present ----

const roadscene = fileURLToPath(new URL('../../../shared/data/roadscene/', import.meta.url));

test('RoadScene JPEGs: IR decodes as grey, VIS as colour, same size', () => {
  if (!existsSync(roadscene + 'ir')) {
    console.log(`  (skipped: ${roadscene} not found; the real-image check needs ../shared/data)`);
    return;
  }
  for (const name of readdirSync(roadscene + 'ir').sort().slice(0, 3)) {
    const ir = decodeImage(readFileSync(roadscene + 'ir/' + name), name);
    const vis = decodeImage(readFileSync(roadscene + 'vi/' + name), name);
    assert.is(ir.channels, 1, name);
    assert.is(vis.channels, 3, name);
    assert.equal([ir.width, ir.height], [vis.width, vis.height], name);
  }
});

test.run();

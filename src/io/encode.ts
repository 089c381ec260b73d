/** Image → 8-bit PNG bytes (grey or RGB, no alpha). Node only in practice: pngjs needs Buffer and zlib. */
import pngjs from 'pngjs';
import type { Image } from './image.ts';

const COLOR_TYPE_GREY = 0;
const COLOR_TYPE_RGB = 2;

/** Values are clamped to [0, 1] and rounded to the nearest of 256 levels; NaN becomes 0. */
export function encodePng(image: Image): Uint8Array {
  const { width, height, channels, data } = image;
  const bytes = Buffer.alloc(width * height * channels);
  for (let i = 0; i < bytes.length; i++) {
    const v = data[i];
    bytes[i] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0; // NaN fails both tests → 0
  }
  const colorType = channels === 1 ? COLOR_TYPE_GREY : COLOR_TYPE_RGB;
  const png = pngjs.PNG.sync.write(
    { width, height, data: bytes } as pngjs.PNG,
    // input already in the output layout: pngjs then copies the bytes as they are
    { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 },
  );
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

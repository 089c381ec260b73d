/**
 * The in-memory image every part of fusegrad exchanges: interleaved, row-major, values in [0, 1].
 * One channel for grey (IR, luma), three for RGB. No alpha: fusion has no use for it.
 */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

function makeImage(width: number, height: number, channels: 1 | 3, data?: Float32Array): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
  const n = width * height * channels;
  if (data !== undefined && data.length !== n) {
    throw new RangeError(`a ${width}x${height}x${channels} image needs ${n} values, got ${data.length}`);
  }
  return { width, height, channels, data: data ?? new Float32Array(n) };
}

/** A one-channel image; `data` (width*height values) is used as is, not copied; zeros if omitted. */
export function greyImage(width: number, height: number, data?: Float32Array): Image {
  return makeImage(width, height, 1, data);
}

/** A three-channel image; `data` (width*height*3 interleaved RGB values) is used as is; zeros if omitted. */
export function rgbImage(width: number, height: number, data?: Float32Array): Image {
  return makeImage(width, height, 3, data);
}

/**
 * Builds an Image from integer samples with `stride` values per pixel (RGB first, anything after
 * is ignored: alpha), scaled by 1/maxValue. If R = G = B at every pixel the result has one
 * channel, because IR images are often saved as RGB. Shared by the PNG and JPEG decoders and by
 * browser code that gets RGBA bytes from a canvas (see imageFromRgba).
 */
export function imageFromSamples(
  samples: ArrayLike<number>, width: number, height: number, stride: number, maxValue: number,
): Image {
  const pixels = width * height;
  let grey = true;
  for (let i = 0, p = 0; i < pixels; i++, p += stride) {
    const r = samples[p];
    if (r !== samples[p + 1] || r !== samples[p + 2]) { grey = false; break; }
  }
  const scale = 1 / maxValue;
  if (grey) {
    const out = new Float32Array(pixels);
    for (let i = 0, p = 0; i < pixels; i++, p += stride) out[i] = samples[p] * scale;
    return greyImage(width, height, out);
  }
  const out = new Float32Array(pixels * 3);
  for (let i = 0, p = 0, o = 0; i < pixels; i++, p += stride, o += 3) {
    out[o] = samples[p] * scale;
    out[o + 1] = samples[p + 1] * scale;
    out[o + 2] = samples[p + 2] * scale;
  }
  return rgbImage(width, height, out);
}

/** From canvas `ImageData.data` (8-bit RGBA): the browser's way in, since pngjs needs Node. Alpha is ignored. */
export function imageFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Image {
  return imageFromSamples(rgba, width, height, 4, 255);
}

/**
 * Bytes → Image. The format comes from the magic bytes, never the file name's extension; `name`
 * is only used in messages. Every problem a user can fix is a FusegradError naming the file.
 */
import { FusegradError } from '../errors.ts';
import type { Image } from './image.ts';
import { detectFormat, guessOtherFormat, hexPrefix, jpegSize, pngSize } from './sniff.ts';
import type { ImageFormat } from './sniff.ts';
import { decodePngBytes } from './decode-png.ts';
import { decodeJpegBytes } from './decode-jpeg.ts';

/** 8192 × 8192: far above any IR sensor, and about 0.8 GB as float32 RGB. */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

export interface DecodeOptions {
  /** Refuse images with more pixels than this (checked on the header, before decoding). */
  maxPixels?: number;
}

/**
 * An Image plus what was learnt while decoding it. It is an Image, so it can be passed on as one.
 * `warnings` are for the user (e.g. alpha was ignored); the CLI prints them, nothing else does.
 */
export interface DecodedImage extends Image {
  format: ImageFormat;
  /** Bits per sample in the file: 8 for JPEG and palette PNGs, 1/2/4/8/16 for other PNGs. */
  bitDepth: number;
  warnings: string[];
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export function decodeImage(bytes: Uint8Array, name: string, opts: DecodeOptions = {}): DecodedImage {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) {
    throw new FusegradError(`${name}: the file is empty (0 bytes); check that it was copied or saved completely`);
  }
  const format = detectFormat(bytes);
  if (format === undefined) {
    const guess = guessOtherFormat(bytes);
    throw new FusegradError(
      `${name}: not a PNG or JPEG file (starts with ${hexPrefix(bytes)}${guess ? `: ${guess}?` : ''}); convert it to PNG`,
    );
  }
  const label = format === 'png' ? 'PNG' : 'JPEG';
  const size = format === 'png' ? pngSize(bytes) : jpegSize(bytes);
  if (!size.ok) {
    throw new FusegradError(`${name}: the ${label} file is truncated or corrupt (bad header); re-export it or use another file`);
  }
  const { width, height } = size;
  if (width === 0 || height === 0) {
    throw new FusegradError(`${name}: the ${label} header says the image is ${width}×${height} pixels; an image needs at least one pixel each way`);
  }
  if (width * height > maxPixels) {
    throw new FusegradError(
      `${name}: ${width}×${height} is ${fmt(width * height)} pixels, more than the limit of ${fmt(maxPixels)}; resize the image first`,
    );
  }
  const warnings: string[] = [];
  if (format === 'png') {
    const { image, bitDepth } = decodePngBytes(bytes, name, warnings);
    return { ...image, format, bitDepth, warnings };
  }
  return { ...decodeJpegBytes(bytes, name, maxPixels), format, bitDepth: 8, warnings };
}

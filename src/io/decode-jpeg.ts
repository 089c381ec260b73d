/** JPEG decoding through jpeg-js (baseline and progressive, 8-bit; grey, YCbCr, CMYK). */
import jpeg from 'jpeg-js';
import { FusegradError } from '../errors.ts';
import { imageFromSamples } from './image.ts';
import type { Image } from './image.ts';

export function decodeJpegBytes(bytes: Uint8Array, name: string, maxPixels: number): Image {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true, // a Uint8Array, not a Buffer: also works in a browser
      formatAsRGBA: false, // RGB; a one-component (grey) JPEG comes back with R = G = B
      // Strict: a scan with missing blocks is an error, not an image with grey holes.
      tolerantDecoding: false,
      // Our own size limit was checked on the header already; keep jpeg-js's from refusing first.
      maxResolutionInMP: Math.max(100, Math.ceil(maxPixels / 1e6)),
      // jpeg-js needs about 8 bytes a pixel (component planes, then the RGB output).
      maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 8) / 2 ** 20)),
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FusegradError(`${name}: the JPEG file is truncated or corrupt (${why}); re-export it or use another file`);
  }
  return imageFromSamples(decoded.data, decoded.width, decoded.height, 3, 255);
}

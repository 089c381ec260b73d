/** PNG decoding through pngjs, keeping 16-bit precision and ignoring alpha. */
import pngjs from 'pngjs';
import { FusegradError } from '../errors.ts';
import { imageFromSamples } from './image.ts';
import type { Image } from './image.ts';

// What PNG.sync.read returns at run time: @types/pngjs omits transColor and types data as a
// Buffer, but with skipRescale a 16-bit image comes back as a Uint16Array.
interface PngjsResult {
  width: number;
  height: number;
  depth: 1 | 2 | 4 | 8 | 16;
  colorType: number;
  data: Uint8Array | Uint16Array;
  transColor?: number[];
}

const COLOR_TYPE_PALETTE = 3;

/** Decodes a PNG (signature already checked). Returns the image and the source bit depth. */
export function decodePngBytes(bytes: Uint8Array, name: string, warnings: string[]): { image: Image; bitDepth: number } {
  // pngjs reads chunks with Buffer methods (readUInt32BE...), so it needs a real Buffer.
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (NodeBuffer === undefined) {
    throw new FusegradError(`${name}: PNG decoding needs Node.js; in a browser, draw the image on a canvas and use imageFromRgba`);
  }
  let png: PngjsResult;
  try {
    // skipRescale keeps 16-bit samples as they are (pngjs would otherwise round them to 8 bits);
    // low bit depths (1/2/4) are then raw too, so every non-palette sample is scaled by 2^depth - 1 below.
    png = pngjs.PNG.sync.read(NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true }) as unknown as PngjsResult;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FusegradError(`${name}: the PNG file is truncated or corrupt (${why}); re-export it or use another file`);
  }
  const { width, height, data } = png;
  const palette = png.colorType === COLOR_TYPE_PALETTE;
  const maxValue = palette ? 255 : 2 ** png.depth - 1; // palette entries are always 8-bit
  const pixels = width * height;

  // pngjs blanks the pixels matching a tRNS colour key to (0,0,0,0); alpha is ignored here, so
  // put the key colour back (those are exactly the pixels whose alpha became 0).
  const key = palette ? undefined : png.transColor;
  let transparent = false;
  for (let i = 0, p = 0; i < pixels; i++, p += 4) {
    if (data[p + 3] === maxValue) continue;
    transparent = true;
    if (key !== undefined && data[p + 3] === 0) {
      data[p] = key[0];
      data[p + 1] = key[1] ?? key[0];
      data[p + 2] = key[2] ?? key[0];
    }
  }
  if (transparent) {
    warnings.push(`${name}: has transparent pixels; fusegrad ignores alpha and uses the colours as stored`);
  }
  return { image: imageFromSamples(data, width, height, 4, maxValue), bitDepth: palette ? 8 : png.depth };
}

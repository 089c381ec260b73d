// Hand-built PNGs for the decoder tests: pngjs cannot write palette, grey+alpha with tRNS, or
// 1/2/4-bit files. Filter type 0 on every row, one IDAT, CRCs from node:zlib.
import { crc32, deflateSync } from 'node:zlib';

export interface RawPng {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Samples in file order (palette indices for colour type 3), row-major. */
  samples: ArrayLike<number>;
  /** Colour type 3: RGB triples. */
  palette?: [number, number, number][];
  /** tRNS chunk payload, as raw bytes. */
  trns?: number[];
}

const SAMPLES_PER_PIXEL = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

export function makePng(p: RawPng): Uint8Array {
  const spp = SAMPLES_PER_PIXEL[p.colorType];
  const rowBits = p.width * spp * p.bitDepth;
  const rowBytes = Math.ceil(rowBits / 8);
  const raw = Buffer.alloc((rowBytes + 1) * p.height);
  for (let y = 0; y < p.height; y++) {
    const rowStart = y * (rowBytes + 1) + 1; // byte 0 of the row is the filter type (0)
    for (let s = 0; s < p.width * spp; s++) {
      const v = p.samples[y * p.width * spp + s];
      if (p.bitDepth === 16) raw.writeUInt16BE(v, rowStart + 2 * s);
      else if (p.bitDepth === 8) raw[rowStart + s] = v;
      else {
        const bit = s * p.bitDepth;
        raw[rowStart + (bit >> 3)] |= v << (8 - p.bitDepth - (bit & 7));
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr[8] = p.bitDepth;
  ihdr[9] = p.colorType;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (p.palette) parts.push(chunk('PLTE', Uint8Array.from(p.palette.flat())));
  if (p.trns) parts.push(chunk('tRNS', Uint8Array.from(p.trns)));
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat(parts));
}

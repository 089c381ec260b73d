/**
 * Recognising an image file by its first bytes (never by its extension), and reading its size
 * from the header so that a huge image is refused before anything is decoded.
 */

export type ImageFormat = 'png' | 'jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

export function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  return undefined;
}

/** A guess at what a file that is neither PNG nor JPEG is, for the error message ('' if unknown). */
export function guessOtherFormat(bytes: Uint8Array): string {
  if (startsWith(bytes, ascii('GIF8'))) return 'a GIF';
  if (startsWith(bytes, ascii('BM'))) return 'a BMP';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'a TIFF';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'a WebP';
  if (startsWith(bytes, ascii('ftyp'), 4)) return 'a HEIC/AVIF';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'a JPEG 2000';
  if (bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] >= 0x31 && bytes[1] <= 0x36) return 'a PGM/PPM';
  if (startsWith(bytes, [0x93, ...ascii('NUMPY')])) return 'a NumPy .npy';
  if (startsWith(bytes, ascii('<'))) return 'an HTML/XML page';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'a PNG damaged by a text-mode transfer';
  return '';
}

/** "0x47 0x49 0x46 0x38" */
export function hexPrefix(bytes: Uint8Array, count = 4): string {
  return [...bytes.subarray(0, count)].map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
}

export type HeaderSize =
  | { ok: true; width: number; height: number }
  | { ok: false; problem: 'truncated' | 'corrupt' };

/** Width and height from the IHDR chunk, which the PNG format requires to come first. */
export function pngSize(bytes: Uint8Array): HeaderSize {
  if (bytes.length < 24) return { ok: false, problem: 'truncated' };
  if (!startsWith(bytes, ascii('IHDR'), 12)) return { ok: false, problem: 'corrupt' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { ok: true, width: view.getUint32(16), height: view.getUint32(20) };
}

// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): the markers that carry the frame size.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the JPEG marker segments up to the start-of-frame one, which holds the size. */
export function jpegSize(bytes: Uint8Array): HeaderSize {
  let p = 2; // after SOI
  while (true) {
    if (p >= bytes.length) return { ok: false, problem: 'truncated' };
    if (bytes[p] !== 0xff) return { ok: false, problem: 'corrupt' };
    while (p < bytes.length && bytes[p] === 0xff) p++; // 0xFF, optional 0xFF fill bytes, then the code
    if (p >= bytes.length) return { ok: false, problem: 'truncated' };
    const marker = bytes[p++];
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // segments without a length
    if (marker === 0xd9 || marker === 0xda) return { ok: false, problem: 'corrupt' }; // EOI/scan before any frame
    if (p + 2 > bytes.length) return { ok: false, problem: 'truncated' };
    const length = (bytes[p] << 8) | bytes[p + 1];
    if (length < 2) return { ok: false, problem: 'corrupt' };
    if (isStartOfFrame(marker)) {
      if (p + 7 > bytes.length) return { ok: false, problem: 'truncated' };
      const height = (bytes[p + 3] << 8) | bytes[p + 4];
      const width = (bytes[p + 5] << 8) | bytes[p + 6];
      return { ok: true, width, height };
    }
    p += length;
  }
}

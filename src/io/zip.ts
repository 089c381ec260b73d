/**
 * A minimal read-only zip reader, enough for PyTorch checkpoints (torch.save writes a zip since
 * torch 1.6). It reads the end-of-central-directory record, then the central directory, and
 * inflates an entry only when asked. Stored (method 0, what torch writes) and deflate (method 8,
 * what re-zipping tools write) entries; every entry read is checked against its CRC-32.
 * Not supported, with a clear error: zip64 (archives over 4 GiB or 65535 entries), encryption,
 * multi-disk archives. Node only: deflate uses node:zlib.
 */
import { inflateRawSync } from 'node:zlib';
import { FusegradError } from '../errors.ts';

const SIG_LOCAL_HEADER = 0x04034b50;
const SIG_CENTRAL_ENTRY = 0x02014b50;
const SIG_END_OF_CENTRAL_DIR = 0x06054b50;
const END_RECORD_BYTES = 22;
/** The end record sits in the last 22 bytes plus a comment of at most 65535 bytes. */
const MAX_END_SEARCH = END_RECORD_BYTES + 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  /** Entry names in central-directory order. */
  names(): string[];
  has(name: string): boolean;
  /** The entry's uncompressed bytes (for stored entries, a view into the archive's bytes). */
  read(name: string): Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as zip uses), unsigned. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function findEndRecord(bytes: Uint8Array, view: DataView, fileName: string): number {
  const lowest = Math.max(0, bytes.length - MAX_END_SEARCH);
  for (let p = bytes.length - END_RECORD_BYTES; p >= lowest; p--) {
    if (view.getUint32(p, true) === SIG_END_OF_CENTRAL_DIR) return p;
  }
  const startsLikeZip = bytes.length >= 4 && view.getUint32(0, true) === SIG_LOCAL_HEADER;
  throw new FusegradError(startsLikeZip
    ? `${fileName}: the zip archive is truncated (its end record is missing); download or copy the file again`
    : `${fileName}: is not a zip archive; expected a PyTorch checkpoint saved by torch.save (torch >= 1.6)`);
}

function zip64Error(fileName: string): FusegradError {
  return new FusegradError(
    `${fileName}: is a zip64 archive (over 4 GiB or over 65535 entries), which fusegrad does not read; ` +
    'save a smaller state_dict, or convert it with tools/pt2safetensors.py',
  );
}

/** Parses the central directory of `bytes`; `fileName` is for error messages only. */
export function readZip(bytes: Uint8Array, fileName: string): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndRecord(bytes, view, fileName);
  const diskNumber = view.getUint16(end + 4, true);
  const entriesOnDisk = view.getUint16(end + 8, true);
  const entryCount = view.getUint16(end + 10, true);
  const dirSize = view.getUint32(end + 12, true);
  const dirOffset = view.getUint32(end + 16, true);
  // torch writes zip64 end records into every archive (miniz's WRITE_ZIP64 flag) but keeps the
  // classic record exact while sizes fit in 32 bits; only saturated fields need zip64.
  if (entryCount === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) throw zip64Error(fileName);
  if (diskNumber !== 0 || entriesOnDisk !== entryCount) {
    throw new FusegradError(`${fileName}: is a multi-part (spanned) zip archive; join the parts into one file first`);
  }
  if (dirOffset + dirSize > end) {
    throw new FusegradError(`${fileName}: the zip archive is truncated or damaged (its directory lies past its end); copy the file again`);
  }

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8');
  let p = dirOffset;
  for (let i = 0; i < entryCount; i++) {
    if (p + 46 > end || view.getUint32(p, true) !== SIG_CENTRAL_ENTRY) {
      throw new FusegradError(`${fileName}: the zip directory is damaged (entry ${i} of ${entryCount}); copy the file again`);
    }
    const flags = view.getUint16(p + 8, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    const entry: ZipEntry = {
      name,
      method: view.getUint16(p + 10, true),
      crc32: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
    };
    if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
      throw zip64Error(fileName);
    }
    if (flags & 1) throw new FusegradError(`${fileName}: zip entry '${name}' is encrypted; fusegrad reads only unencrypted checkpoints`);
    entries.set(name, entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return {
    names: () => [...entries.keys()],
    has: (name) => entries.has(name),
    read: (name) => {
      const entry = entries.get(name);
      if (entry === undefined) throw new FusegradError(`${fileName}: the zip archive has no entry '${name}'; is it a complete PyTorch checkpoint?`);
      return readEntry(bytes, view, entry, fileName);
    },
  };
}

function readEntry(bytes: Uint8Array, view: DataView, entry: ZipEntry, fileName: string): Uint8Array {
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== SIG_LOCAL_HEADER) {
    throw new FusegradError(`${fileName}: zip entry '${entry.name}' is damaged (no local header); copy the file again`);
  }
  // The local header's own name and extra lengths can differ from the central directory's
  // (torch pads the extra field so data is 64-byte aligned); the sizes come from the directory
  // because the local copy may be zero when a data descriptor follows.
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const stop = start + entry.compressedSize;
  if (stop > bytes.length) {
    throw new FusegradError(`${fileName}: zip entry '${entry.name}' runs past the end of the file (truncated?); copy the file again`);
  }
  const raw = bytes.subarray(start, stop);
  let data: Uint8Array;
  if (entry.method === METHOD_STORED) {
    data = raw;
  } else if (entry.method === METHOD_DEFLATE) {
    try {
      // maxOutputLength: a lying directory must not make us inflate a zip bomb.
      const out = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      data = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch {
      throw new FusegradError(`${fileName}: zip entry '${entry.name}' does not inflate (damaged data); copy the file again`);
    }
  } else {
    throw new FusegradError(
      `${fileName}: zip entry '${entry.name}' uses compression method ${entry.method}; ` +
      'fusegrad reads stored and deflate entries only; re-save the checkpoint with torch.save',
    );
  }
  if (data.length !== entry.size || crc32(data) !== entry.crc32) {
    throw new FusegradError(`${fileName}: zip entry '${entry.name}' fails its CRC check (damaged file); copy the file again`);
  }
  return data;
}

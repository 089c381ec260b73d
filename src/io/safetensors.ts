/**
 * The safetensors format (huggingface/safetensors): 8-byte little-endian header length N, N bytes
 * of JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {..} }`
 * (offsets relative to the data section), then the tensors' raw little-endian bytes, which must
 * cover the data section exactly: no gaps, no overlaps. fusegrad writes F32 and reads F32, F16,
 * BF16 and F64 (all returned as Float32Array).
 */
import { FusegradError } from '../errors.ts';

export interface TensorEntry {
  shape: number[];
  dtype: string;
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

const DTYPE_BYTES: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
const METADATA_KEY = '__metadata__';
// The format is little-endian; on a little-endian host (all current ones) F32 bytes copy as is.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** The reference implementation's limit; a bigger "header" means the file is not safetensors. */
const MAX_HEADER_BYTES = 100_000_000;

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialises F32 tensors. Keys are written in sorted order and data laid out in that order, so
 * equal inputs give equal bytes. The header is padded with spaces (allowed by the format) so the
 * data starts at an 8-byte boundary.
 */
export function writeSafetensors(
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort()) sorted[k] = String(metadata[k]);
    header[METADATA_KEY] = sorted;
  }
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name];
    if (name === METADATA_KEY || name === '') throw new RangeError(`writeSafetensors: invalid tensor name '${name}'`);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || product(shape) !== data.length) {
      throw new RangeError(`writeSafetensors: tensor '${name}' has shape [${shape}] but ${data.length} values`);
    }
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json);
  json = headerBytes;

  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const name of names) {
    const data = tensors[name].data;
    if (HOST_LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), p);
      p += data.byteLength;
    } else {
      for (let i = 0; i < data.length; i++, p += 4) view.setFloat32(p, data[i], true);
    }
  }
  return out;
}

interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function bad(name: string, what: string): FusegradError {
  return new FusegradError(`${name}: not a valid safetensors file (${what}); re-export the weights`);
}

function parseEntry(file: string, key: string, value: unknown): RawEntry {
  if (typeof value !== 'object' || value === null) throw bad(file, `entry '${key}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad(file, `tensor '${key}' has no dtype`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(file, `tensor '${key}' has an invalid shape`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw bad(file, `tensor '${key}' has invalid data_offsets`);
  }
  return { name: key, dtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(file, '__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw bad(file, `__metadata__ value '${k}' is not a string`);
    out[k] = v;
  }
  return out;
}

/** Reads a safetensors file; `name` (the file name) is used in error messages only. */
export function readSafetensors(bytes: Uint8Array, name: string): SafetensorsFile {
  if (bytes.length < 8) throw new FusegradError(`${name}: is truncated (${bytes.length} bytes; a safetensors file starts with an 8-byte header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw bad(name, `header length ${headerLen} is implausible`);
  const n = Number(headerLen);
  if (8 + n > bytes.length) {
    throw new FusegradError(`${name}: is truncated (header says its JSON is ${n} bytes, file has ${bytes.length - 8} after the length)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw bad(name, 'the header is not valid UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad(name, 'the header is not a JSON object');

  let metadata: Record<string, string> = {};
  const entries: RawEntry[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === METADATA_KEY) metadata = parseMetadata(name, value);
    else entries.push(parseEntry(name, key, value));
  }

  // Byte layout: sorted by start, each tensor must begin where the previous one ended.
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin < expected) throw bad(name, `tensor '${e.name}' overlaps another tensor's bytes`);
    if (e.begin > expected) throw bad(name, `there are unused bytes before tensor '${e.name}'`);
    expected = e.end;
  }
  if (expected > dataLen) {
    throw new FusegradError(`${name}: is truncated (header says ${expected} bytes of data, file has ${dataLen}); download or export it again`);
  }
  if (expected < dataLen) throw bad(name, `${dataLen - expected} bytes after the last tensor`);

  const tensors = new Map<string, TensorEntry>();
  for (const e of entries) {
    const size = DTYPE_BYTES[e.dtype];
    if (size === undefined) {
      throw new FusegradError(
        `${name}: tensor '${e.name}' has dtype ${e.dtype}; fusegrad reads only F32, F16, BF16 and F64 weights; convert the file to float32`,
      );
    }
    const count = product(e.shape);
    if (e.end - e.begin !== count * size) {
      throw bad(name, `tensor '${e.name}' of shape [${e.shape}] and dtype ${e.dtype} needs ${count * size} bytes, has ${e.end - e.begin}`);
    }
    const data = toFloat32(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, count);
    tensors.set(e.name, { shape: e.shape, dtype: e.dtype, data });
  }
  return { tensors, metadata };
}

function toFloat32(raw: Uint8Array, dtype: string, count: number): Float32Array {
  if (dtype === 'F32' && HOST_LITTLE_ENDIAN) {
    // a copy into fresh aligned memory (raw may be an unaligned view, or a Node Buffer whose slice is a view)
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(raw);
    return out;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
  }
  return out;
}

/** IEEE 754 half → number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * The data of tensor `key`, which must exist, have exactly `shape` and hold only finite numbers.
 * `fileName` is for the message.
 */
export function expectTensor(
  tensors: Map<string, TensorEntry>, key: string, shape: readonly number[], fileName: string,
): Float32Array {
  const t = tensors.get(key);
  if (t === undefined) {
    throw new FusegradError(
      `${fileName}: has no tensor '${key}' (expected shape [${shape}]); is it the weights file for this model?`,
    );
  }
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new FusegradError(
      `${fileName}: tensor '${key}' has shape [${t.shape}], expected [${shape}]; is it the weights file for this model?`,
    );
  }
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) {
      throw new FusegradError(`${fileName}: tensor '${key}' holds ${t.data[i]} at index ${i}; the weights are broken (training diverged?)`);
    }
  }
  return t.data;
}

/**
 * Reads PyTorch checkpoints (torch.save's zip format, torch >= 1.6) without PyTorch and without
 * running any of the pickle's code; the semantics follow
 * ../shared/weights/ldfusion/tools/pt2safetensors.py.
 *
 * Layout: a zip with one folder `<archive>/` holding `data.pkl` (the pickled object, see
 * pickle.ts), `byteorder` ("little" or "big"; absent in old files, meaning little), `version`,
 * and one raw file per storage, `<archive>/data/<key>`. A tensor is a strided view of a storage:
 * element offset, shape and strides; we materialise each one contiguous (row-major).
 *
 * dtypes: F32/F16/BF16/F64 storages come back as Float32Array (F64 rounded to nearest).
 * Integer and bool tensors (I64 num_batches_tracked, masks) come back with their own typed
 * array; convertTorchCheckpoint drops them, with a note, because fusegrad's safetensors
 * reader and writer handle only float weights (pt2safetensors.py keeps them as I64 etc.).
 */
import { FusegradError } from '../errors.ts';
import { halfToFloat, writeSafetensors } from './safetensors.ts';
import { readZip } from './zip.ts';
import type { ZipArchive } from './zip.ts';
import { PickleDict, PickleTuple, StorageRef, TensorRef, TorchGlobal, unpickleTorch } from './pickle.ts';
import type { PickleValue, StorageDtype } from './pickle.ts';

export type { StorageDtype } from './pickle.ts';

export type CheckpointData = Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface CheckpointTensor {
  /** The dtype stored in the checkpoint; float dtypes have `data` already widened to float32. */
  dtype: StorageDtype;
  shape: number[];
  /** Row-major; BOOL as Uint8Array of 0/1. */
  data: CheckpointData;
}

export interface ReadCheckpointOptions {
  /** Receives one line per thing skipped or chosen (a wrapper key, non-tensor entries). */
  notes?: string[];
}

const ELEMENT_BYTES: Readonly<Record<StorageDtype, number>> = {
  F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};
export const FLOAT_DTYPES: ReadonlySet<StorageDtype> = new Set<StorageDtype>(['F32', 'F16', 'BF16', 'F64']);
/** Keys under which training scripts commonly wrap the state_dict beside epoch, optimizer... */
const WRAPPER_KEYS = ['state_dict', 'model', 'net', 'weight', 'weights'];
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** One tensor's materialised bytes; typed arrays and the safetensors writer stop near here anyway. */
const MAX_TENSOR_BYTES = 2 ** 31 - 1;

/** The flat state_dict of a torch.save checkpoint; `fileName` is for messages only. */
export function readTorchCheckpoint(
  bytes: Uint8Array, fileName = 'checkpoint', opts: ReadCheckpointOptions = {},
): Map<string, CheckpointTensor> {
  rejectOtherFormats(bytes, fileName);
  const zip = readZip(bytes, fileName);
  const prefix = archivePrefix(zip, fileName);
  const byteorder = readByteorder(zip, prefix, fileName);
  const root = unpickleTorch(zip.read(`${prefix}data.pkl`), fileName);
  const refs = flattenStateDict(root, fileName, opts.notes ?? []);
  const storages = new StorageReader(zip, prefix, fileName);
  const out = new Map<string, CheckpointTensor>();
  for (const [name, ref] of refs) {
    const raw = storages.viewBytes(ref, name);
    out.set(name, { dtype: ref.storage.dtype, shape: [...ref.shape], data: decode(raw, ref.storage.dtype, byteorder) });
  }
  return out;
}

function rejectOtherFormats(bytes: Uint8Array, fileName: string): void {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new FusegradError(
      `${fileName}: is a bare pickle (PyTorch's legacy format from before torch 1.6, or not PyTorch at all), not a zip checkpoint; ` +
      'load it in Python and save it again with torch.save(state_dict, path) from torch >= 1.6',
    );
  }
  // safetensors: 8-byte little-endian header length, then the JSON header.
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[7] === 0 && bytes[6] === 0) {
    throw new FusegradError(`${fileName}: is already a safetensors file; fusegrad reads it directly, no conversion needed`);
  }
}

function archivePrefix(zip: ZipArchive, fileName: string): string {
  // torch puts every record in one folder (named "archive" or after the file); find its data.pkl.
  const pickles = zip.names().filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length === 0) {
    throw new FusegradError(`${fileName}: is a zip but has no <folder>/data.pkl; it is not a checkpoint written by torch.save`);
  }
  if (pickles.length > 1) {
    throw new FusegradError(`${fileName}: holds ${pickles.length} data.pkl files (${pickles.join(', ')}); expected one checkpoint per file`);
  }
  return pickles[0].slice(0, -'data.pkl'.length);
}

function readByteorder(zip: ZipArchive, prefix: string, fileName: string): 'little' | 'big' {
  const name = `${prefix}byteorder`;
  if (!zip.has(name)) return 'little'; // written since torch 1.10; older files are little-endian
  const value = new TextDecoder().decode(zip.read(name)).trim();
  if (value !== 'little' && value !== 'big') {
    throw new FusegradError(`${fileName}: its byteorder record says '${value}', expected 'little' or 'big'; the checkpoint is damaged`);
  }
  return value;
}

function describe(v: PickleValue): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PickleTuple) return 'tuple';
  if (v instanceof PickleDict) return 'dict';
  if (v instanceof TensorRef) return 'tensor';
  if (v instanceof StorageRef) return 'storage';
  if (v instanceof TorchGlobal) return v.name;
  return 'object';
}

function holdsTensor(v: PickleValue, seen = new Set<PickleDict>()): boolean {
  if (v instanceof TensorRef) return true;
  if (!(v instanceof PickleDict) || seen.has(v)) return false;
  seen.add(v);
  for (const child of v.items.values()) if (holdsTensor(child, seen)) return true;
  return false;
}

function listNames(names: string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

/**
 * The checkpoint's tensors by dotted name: a state_dict as is, a wrapper dict's `state_dict`
 * (or model/net/weight/weights) entry, and nested dicts flattened with '.'.
 */
function flattenStateDict(root: PickleValue, fileName: string, notes: string[]): Array<[string, TensorRef]> {
  if (!(root instanceof PickleDict)) {
    throw new FusegradError(
      `${fileName}: holds a ${describe(root)}, not a dict of tensors; save the model's weights with torch.save(model.state_dict(), path)`,
    );
  }
  let dict = root;
  const allTensors = [...root.items.values()].every((v) => v instanceof TensorRef);
  const wrapper = allTensors ? undefined : WRAPPER_KEYS.find((k) => {
    const v = root.items.get(k);
    return v instanceof PickleDict && holdsTensor(v);
  });
  if (wrapper !== undefined) {
    dict = root.items.get(wrapper) as PickleDict;
    const others = [...root.items.keys()].filter((k) => k !== wrapper).map(String);
    notes.push(`using the checkpoint's '${wrapper}' entry` + (others.length > 0 ? `; ignoring ${listNames(others)}` : ''));
  }

  const out: Array<[string, TensorRef]> = [];
  const names = new Set<string>();
  const skipped: string[] = [];
  const walk = (d: PickleDict, path: string, open: Set<PickleDict>) => {
    if (open.has(d)) throw new FusegradError(`${fileName}: the dict at '${path}' contains itself; the checkpoint is not a state_dict`);
    open.add(d);
    for (const [key, value] of d.items) {
      const name = path === '' ? String(key) : `${path}.${String(key)}`;
      if (value instanceof TensorRef) {
        if (names.has(name)) throw new FusegradError(`${fileName}: two tensors flatten to the name '${name}'; rename one in the state_dict`);
        names.add(name);
        out.push([name, value]);
      } else if (value instanceof PickleDict) {
        walk(value, name, open);
      } else {
        skipped.push(`${name} (${describe(value)})`);
      }
    }
    open.delete(d);
  };
  walk(dict, '', new Set());
  if (skipped.length > 0) notes.push(`ignored ${skipped.length} entries that are not tensors: ${listNames(skipped)}`);
  if (out.length === 0) {
    throw new FusegradError(`${fileName}: contains no tensors (entries: ${listNames([...root.items.keys()].map(String))}); is it a model checkpoint?`);
  }
  return out;
}

/** Reads storages from the zip on demand (each inflated once) and cuts tensor views out of them. */
class StorageReader {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly zip: ZipArchive, private readonly prefix: string, private readonly fileName: string) {}

  private storageBytes(storage: StorageRef): Uint8Array {
    let raw = this.cache.get(storage.key);
    if (raw === undefined) {
      const entry = `${this.prefix}data/${storage.key}`;
      if (!this.zip.has(entry)) throw new FusegradError(`${this.fileName}: storage ${storage.key} has no data (no zip entry ${entry}); the checkpoint is incomplete`);
      raw = this.zip.read(entry);
      const need = storage.numel * ELEMENT_BYTES[storage.dtype];
      if (raw.length < need) {
        throw new FusegradError(
          `${this.fileName}: storage ${storage.key} has ${raw.length} bytes but holds ${storage.numel} ${storage.dtype} values (${need} bytes); the checkpoint is damaged`,
        );
      }
      this.cache.set(storage.key, raw);
    }
    return raw;
  }

  /** The view's elements as contiguous row-major bytes in the file's byte order, in a fresh (aligned) buffer. */
  viewBytes(ref: TensorRef, name: string): Uint8Array {
    const size = ELEMENT_BYTES[ref.storage.dtype];
    const count = ref.shape.reduce((a, b) => a * b, 1);
    if (count * size > MAX_TENSOR_BYTES) {
      throw new FusegradError(`${this.fileName}: tensor '${name}' of shape [${ref.shape}] is over 2 GiB; fusegrad cannot load it`);
    }
    if (count === 0) return new Uint8Array(0);
    let last = ref.offset; // the highest element index the view touches
    for (let d = 0; d < ref.shape.length; d++) last += (ref.shape[d] - 1) * ref.stride[d];
    if (last >= ref.storage.numel) {
      throw new FusegradError(
        `${this.fileName}: tensor '${name}' (offset ${ref.offset}, shape [${ref.shape}], stride [${ref.stride}]) reaches element ${last} of a ${ref.storage.numel}-element storage; the checkpoint is damaged`,
      );
    }
    const raw = this.storageBytes(ref.storage);
    if (isContiguous(ref.shape, ref.stride)) return raw.slice(ref.offset * size, (ref.offset + count) * size);
    return gatherStrided(raw.slice(ref.offset * size, (last + 1) * size), size, ref.shape, ref.stride, count);
  }
}

/** Row-major contiguity; dimensions of size 1 may carry any stride (torch gives them odd ones). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Copies a strided view (element strides, starting at element 0 of `span`) into row-major order. */
function gatherStrided(span: Uint8Array<ArrayBuffer>, size: number, shape: readonly number[], stride: readonly number[], count: number): Uint8Array {
  // Move whole elements as 1, 2 or 4-byte words (8-byte elements as two words); span is a fresh, aligned copy.
  const wordBytes = Math.min(size, 4);
  const words = size / wordBytes;
  const Word = wordBytes === 1 ? Uint8Array : wordBytes === 2 ? Uint16Array : Uint32Array;
  const src = new Word(span.buffer, 0, span.length / wordBytes);
  const out = new Uint8Array(count * size);
  const dst = new Word(out.buffer);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let from = 0; // element index in span of the current output element
  for (let i = 0; i < count; i++) {
    for (let w = 0; w < words; w++) dst[i * words + w] = src[from * words + w];
    // Odometer: advance the last dimension, carrying into earlier ones.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      from += stride[d];
      if (index[d] < shape[d]) break;
      from -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Decodes contiguous elements (a fresh buffer, in `byteorder`) to the host's typed arrays. */
function decode(bytes: Uint8Array, dtype: StorageDtype, byteorder: 'little' | 'big'): CheckpointData {
  const size = ELEMENT_BYTES[dtype];
  if (size > 1 && (byteorder === 'little') !== HOST_LITTLE_ENDIAN) {
    for (let p = 0; p < bytes.length; p += size) bytes.subarray(p, p + size).reverse();
  }
  const buffer = bytes.buffer;
  switch (dtype) {
    case 'F32': return new Float32Array(buffer);
    case 'F64': return Float32Array.from(new Float64Array(buffer)); // round to nearest, as numpy's astype
    case 'F16': return Float32Array.from(new Uint16Array(buffer), halfToFloat);
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const out = new Float32Array(bytes.length / 2);
      const bits = new Uint32Array(out.buffer);
      const halves = new Uint16Array(buffer);
      for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
      return out;
    }
    case 'I64': return new BigInt64Array(buffer);
    case 'I32': return new Int32Array(buffer);
    case 'I16': return new Int16Array(buffer);
    case 'I8': return new Int8Array(buffer);
    case 'U8':
    case 'BOOL': return new Uint8Array(buffer);
  }
}

export interface ConvertedTensorInfo {
  name: string;
  /** The checkpoint's dtype; written tensors are F32 in the output. */
  dtype: StorageDtype;
  shape: number[];
}

export interface ConvertOptions {
  /** Prepended to every tensor name, e.g. 'encoder.' to merge two checkpoints' names. */
  prefix?: string;
  metadata?: Record<string, string>;
}

export interface ConvertedCheckpoint {
  /** The safetensors file (F32 only, keys sorted). */
  safetensors: Uint8Array;
  /** In checkpoint order. */
  written: ConvertedTensorInfo[];
  /** Integer and bool tensors, which fusegrad does not read. */
  dropped: ConvertedTensorInfo[];
  notes: string[];
}

/** A torch.save checkpoint as a float32 safetensors file (see the module comment for dtypes). */
export function convertTorchCheckpoint(bytes: Uint8Array, fileName: string, opts: ConvertOptions = {}): ConvertedCheckpoint {
  const notes: string[] = [];
  const tensors = readTorchCheckpoint(bytes, fileName, { notes });
  const prefix = opts.prefix ?? '';
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  const written: ConvertedTensorInfo[] = [];
  const dropped: ConvertedTensorInfo[] = [];
  for (const [key, t] of tensors) {
    const info = { name: prefix + key, dtype: t.dtype, shape: t.shape };
    if (t.data instanceof Float32Array) {
      out[info.name] = { shape: t.shape, data: t.data };
      written.push(info);
    } else {
      dropped.push(info);
    }
  }
  if (dropped.length > 0) {
    notes.push(
      `dropped ${dropped.length} integer/bool tensors (fusegrad reads float weights only): ` +
      listNames(dropped.map((d) => `${d.name} ${d.dtype} [${d.shape}]`)),
    );
  }
  if (written.length === 0) throw new FusegradError(`${fileName}: has no floating-point tensors; there are no weights to convert`);
  return { safetensors: writeSafetensors(out, opts.metadata), written, dropped, notes };
}

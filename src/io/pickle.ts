/**
 * A restricted unpickler for what torch.save writes into `data.pkl` (pickle protocol 2; the
 * protocol 3-5 opcodes newer writers use for the same data are read too). It never runs code:
 * the only globals it resolves are the tensor and storage rebuild functions of the allow-list
 * below (the same as ../shared/weights/ldfusion/tools/pt2safetensors.py), and those become plain
 * data (TensorRef, StorageRef), not calls. Any other global (os.system, torch.storage
 * ._load_from_bytes, a model class) is refused with a FusegradError.
 */
import { FusegradError } from '../errors.ts';

/** safetensors names of the dtypes a torch storage can hold. */
export type StorageDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** torch's legacy typed-storage classes, which torch.save still names in persistent ids. */
const STORAGE_CLASS_DTYPES: Readonly<Record<string, StorageDtype>> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8',
  ByteStorage: 'U8', BoolStorage: 'BOOL',
};

export type PickleKey = string | number | bigint | boolean | null;
export type PickleValue =
  | null | boolean | number | bigint | string | Uint8Array | PickleValue[]
  | PickleTuple | PickleDict | TorchGlobal | StorageRef | TensorRef;

export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A dict or collections.OrderedDict (insertion order kept, as Python does). */
export class PickleDict {
  readonly items = new Map<PickleKey, PickleValue>();
}

/** One of the allowed globals, by its dotted name; REDUCE turns it into data. */
export class TorchGlobal {
  constructor(readonly name: string, readonly storageDtype?: StorageDtype) {}
}

/** A storage named by a persistent id: its bytes are the zip entry `<archive>/data/<key>`. */
export class StorageRef {
  constructor(readonly key: string, readonly dtype: StorageDtype, readonly numel: number) {}
}

/** torch._utils._rebuild_tensor_v2's arguments: a strided view (in elements) of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor']);
const REBUILD_PARAMETER = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);
const TORCH_SIZE = 'torch.Size';

function resolveGlobal(module: string, name: string, fileName: string): TorchGlobal {
  const dotted = `${module}.${name}`;
  if (dotted === ORDERED_DICT || REBUILD_TENSOR.has(dotted) || REBUILD_PARAMETER.has(dotted) || dotted === TORCH_SIZE) {
    return new TorchGlobal(dotted);
  }
  if (module === 'torch' && Object.hasOwn(STORAGE_CLASS_DTYPES, name)) return new TorchGlobal(dotted, STORAGE_CLASS_DTYPES[name]);
  if (module === 'torch' && name.endsWith('Storage')) {
    throw new FusegradError(`${fileName}: holds a ${dotted} tensor; fusegrad converts float, integer and bool tensors only`);
  }
  if (module.startsWith('__torch__')) {
    throw new FusegradError(
      `refusing to load ${fileName}: it is a TorchScript archive (torch.jit.save; it names '${dotted}'), which contains code, not just tensors. ` +
      'Save only the weights (torch.save(model.state_dict(), path)) and convert that file',
    );
  }
  throw new FusegradError(
    `refusing to load ${fileName}: it names the Python global '${dotted}'; this file contains code, not just tensors. ` +
    'Save only the weights (torch.save(model.state_dict(), path)) and convert that file',
  );
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/** Parses `bytes` (a data.pkl); `fileName` names the checkpoint in error messages. */
export function unpickleTorch(bytes: Uint8Array, fileName: string): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  const storages = new Map<string, StorageRef>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let opAt = 0;

  const damaged = (what: string) => new FusegradError(`${fileName}: data.pkl is damaged (${what} at byte ${opAt}); save the checkpoint again`);
  const take = (n: number): Uint8Array => {
    if (pos + n > bytes.length) throw damaged('it ends in the middle of an instruction');
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = () => take(1)[0];
  const u16 = () => (take(2), view.getUint16(pos - 2, true));
  const u32 = () => (take(4), view.getUint32(pos - 4, true));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw damaged('a GLOBAL without its newline');
    const text = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const text = (n: number): string => {
    try { return utf8.decode(take(n)); } catch { throw damaged('a string that is not UTF-8'); }
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw damaged('an instruction with too few operands');
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw damaged('an instruction with no operand');
    return v;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw damaged('a missing MARK');
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const integer = (raw: Uint8Array): number | bigint => {
    // LONG1/LONG4: little-endian two's complement of any length.
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    if (raw.length > 0 && raw[raw.length - 1] & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const memoGet = (i: number): PickleValue => {
    const v = memo.get(i);
    if (v === undefined) throw damaged(`a reference to memo slot ${i}, which was never set`);
    return v;
  };
  const setItems = (dict: PickleValue, items: PickleValue[]) => {
    if (!(dict instanceof PickleDict)) throw damaged('SETITEM on something that is not a dict');
    if (items.length % 2 !== 0) throw damaged('SETITEMS with an odd number of operands');
    for (let i = 0; i < items.length; i += 2) dict.items.set(asKey(items[i], damaged), items[i + 1]);
  };
  const appendItems = (list: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(list)) throw damaged('APPEND on something that is not a list');
    list.push(...items);
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const version = u8();
        if (version > 5) throw damaged(`pickle protocol ${version}, newer than any Python writes`);
        break;
      }
      case 0x95: take(8); break; // FRAME: a length hint only
      case 0x28: stack.push(MARK); break; // MARK '('
      case 0x2e: return pop(); // STOP '.'
      case 0x30: pop(); break; // POP '0'
      case 0x31: popMark(); break; // POP_MARK '1'
      case 0x32: stack.push(top()); break; // DUP '2'
      case 0x4e: stack.push(null); break; // NONE 'N'
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push((take(4), view.getInt32(pos - 4, true))); break; // BININT 'J'
      case 0x4b: stack.push(u8()); break; // BININT1 'K'
      case 0x4d: stack.push(u16()); break; // BININT2 'M'
      case 0x8a: stack.push(integer(take(u8()))); break; // LONG1
      case 0x8b: stack.push(integer(take(u32()))); break; // LONG4
      case 0x47: stack.push((take(8), view.getFloat64(pos - 8, false))); break; // BINFLOAT 'G' (big-endian)
      case 0x58: stack.push(text(u32())); break; // BINUNICODE 'X'
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x54: stack.push(new TextDecoder('latin1').decode(take(u32()))); break; // BINSTRING 'T' (Python 2 str)
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8()))); break; // SHORT_BINSTRING 'U'
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES 'B'
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES 'C'
      case 0x29: stack.push(new PickleTuple([])); break; // EMPTY_TUPLE ')'
      case 0x74: stack.push(new PickleTuple(popMark())); break; // TUPLE 't'
      case 0x85: stack.push(new PickleTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(new PickleTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PickleTuple([a, b, c])); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST ']'
      case 0x6c: stack.push(popMark()); break; // LIST 'l'
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND 'a'
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS 'e'
      case 0x7d: stack.push(new PickleDict()); break; // EMPTY_DICT '}'
      case 0x64: { const d = new PickleDict(); setItems(d, popMark()); stack.push(d); break; } // DICT 'd'
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM 's'
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS 'u'
      case 0x71: memo.set(u8(), top()); break; // BINPUT 'q'
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT 'r'
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET 'h'
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET 'j'
      case 0x63: { const module = line(); stack.push(resolveGlobal(module, line(), fileName)); break; } // GLOBAL 'c'
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw damaged('STACK_GLOBAL without two strings');
        stack.push(resolveGlobal(module, name, fileName));
        break;
      }
      case 0x52: { // REDUCE 'R': callable(*args), for the allowed callables only
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args, fileName, damaged));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args); only OrderedDict can be built this way
        pop();
        const cls = pop();
        if (!(cls instanceof TorchGlobal) || cls.name !== ORDERED_DICT) throw damaged('NEWOBJ of a class other than OrderedDict');
        stack.push(new PickleDict());
        break;
      }
      case 0x62: { // BUILD 'b': sets attributes; state_dict's OrderedDict carries `_metadata` (layer versions) here
        pop();
        if (!(top() instanceof PickleDict)) throw damaged('BUILD on something that is not a dict');
        break;
      }
      case 0x51: { // BINPERSID 'Q': ('storage', torch.XStorage, key, location, numel)
        stack.push(persistentStorage(pop(), storages, damaged));
        break;
      }
      default:
        throw new FusegradError(
          `${fileName}: data.pkl uses pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opAt}, which torch.save does not write; ` +
          'is this a PyTorch checkpoint? Save it again with torch.save(model.state_dict(), path)',
        );
    }
  }
}

function asKey(v: PickleValue, damaged: (what: string) => FusegradError): PickleKey {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  throw damaged('a dict key that is not a string or a number');
}

function nonNegativeInts(v: PickleValue, what: string, damaged: (what: string) => FusegradError): number[] {
  if (!(v instanceof PickleTuple)) throw damaged(`a tensor whose ${what} is not a tuple`);
  return v.items.map((d) => nonNegativeInt(d, what, damaged));
}

function nonNegativeInt(v: PickleValue, what: string, damaged: (what: string) => FusegradError): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw damaged(`a tensor whose ${what} is not a non-negative integer`);
  return v;
}

function reduce(callable: PickleValue, args: PickleValue, fileName: string, damaged: (what: string) => FusegradError): PickleValue {
  if (!(callable instanceof TorchGlobal) || !(args instanceof PickleTuple)) throw damaged('REDUCE of something that is not an allowed call');
  const a = args.items;
  if (callable.name === ORDERED_DICT) {
    if (a.length !== 0) throw damaged('OrderedDict built from arguments');
    return new PickleDict();
  }
  if (REBUILD_TENSOR.has(callable.name)) {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    const [storage, offset, size, stride] = a;
    if (!(storage instanceof StorageRef)) throw damaged('a tensor whose storage is not a persistent storage');
    const shape = nonNegativeInts(size, 'size', damaged);
    const strides = nonNegativeInts(stride, 'stride', damaged);
    if (shape.length !== strides.length) throw damaged(`a tensor with size [${shape}] but stride [${strides}]`);
    return new TensorRef(storage, nonNegativeInt(offset, 'storage offset', damaged), shape, strides);
  }
  if (REBUILD_PARAMETER.has(callable.name)) {
    if (!(a[0] instanceof TensorRef)) throw damaged('a Parameter that does not wrap a tensor');
    return a[0]; // requires_grad and hooks do not matter for weights
  }
  if (callable.name === TORCH_SIZE) {
    if (!(a[0] instanceof PickleTuple)) throw damaged('torch.Size of something that is not a tuple');
    return a[0];
  }
  throw new FusegradError(`${fileName}: data.pkl calls ${callable.name}, which is not a function; the checkpoint is damaged`);
}

function persistentStorage(
  pid: PickleValue, storages: Map<string, StorageRef>, damaged: (what: string) => FusegradError,
): StorageRef {
  if (!(pid instanceof PickleTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
    throw damaged('a persistent id that is not a (\'storage\', type, key, location, numel) tuple');
  }
  const [, storageType, key, , numel] = pid.items;
  if (!(storageType instanceof TorchGlobal) || storageType.storageDtype === undefined) throw damaged('a storage of an unknown type');
  if (typeof key !== 'string') throw damaged('a storage key that is not a string');
  const count = nonNegativeInt(numel, 'storage size', damaged);
  const known = storages.get(key);
  if (known !== undefined) {
    // torch writes one entry per storage; two dtypes over one storage would need reinterpretation.
    if (known.dtype !== storageType.storageDtype) throw damaged(`storage ${key} used as both ${known.dtype} and ${storageType.storageDtype}`);
    return known;
  }
  const ref = new StorageRef(key, storageType.storageDtype, count);
  storages.set(key, ref);
  return ref;
}

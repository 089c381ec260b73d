import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FusegradError } from '../../src/errors.ts';
import { halfToFloat, readSafetensors } from '../../src/io/safetensors.ts';
import { convertTorchCheckpoint, readTorchCheckpoint } from '../../src/io/torch-checkpoint.ts';
import { main as convertPtMain } from '../../scripts/convert-pt.ts';
import {
  bf16Storage, f16Storage, f32Storage, f64Storage, i64Storage, PickleWriter, plainDict, stateDict, tensor,
  torchSave, torchZipRecords, writeTorchZip,
} from '../fixtures/torch-pickler.ts';
import type { FakeStorage } from '../fixtures/torch-pickler.ts';

const root = new URL('../../', import.meta.url).pathname;
const LD_LITE = new URL('../../../shared/weights/ldfusion/ld-lite/model.safetensors', import.meta.url).pathname;

function throwsUserError(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof FusegradError)) throw err;
    for (const p of parts) assert.ok(err.message.includes(p), `message "${err.message}" lacks "${p}"`);
    return;
  }
  assert.unreachable('no error thrown');
}

/**
 * readFileSync returns a Node Buffer, whose slice() is a view, not a copy; readSafetensors
 * expects a plain Uint8Array (as files.ts's readFileBytes gives), so view the bytes as one.
 */
function readBytes(path: string): Uint8Array {
  const buf = readFileSync(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
const range = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

/** Deterministic values that cover the awkward floats: -0, subnormals, NaN payloads, infinities. */
function awkwardFloats(n: number): Float32Array {
  const out = new Float32Array(n);
  const u = new Uint32Array(out.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    u[i] = x;
  }
  u.set([0x80000000, 0x00000001, 0x7fc00001, 0xff800000, 0x7f7fffff].slice(0, n));
  return out;
}

test('float32 tensors round-trip bit for bit: convert, then our safetensors reader', () => {
  const conv = awkwardFloats(16 * 3 * 3 * 3);
  const big = awkwardFloats(70_000); // numel past BININT2: pickled with BININT
  const bias = awkwardFloats(16);
  const storages = { '0': { dtype: 'F32', bytes: new Uint8Array(conv.buffer) }, '1': { dtype: 'F32', bytes: new Uint8Array(bias.buffer) }, '2': { dtype: 'F32', bytes: new Uint8Array(big.buffer) } } satisfies Record<string, FakeStorage>;
  const sd = stateDict([
    ['enc.conv.weight', tensor('0', 0, [16, 3, 3, 3])],
    ['enc.conv.bias', { ...tensor('1', 0, [16]), parameter: true }],
    ['dec.big', tensor('2', 0, [700, 100])],
  ]);
  const pt = torchSave(sd, storages);
  const { safetensors, written, dropped } = convertTorchCheckpoint(pt, 'w.pt', { metadata: { source: 'w.pt' } });
  assert.equal(written.map((t) => t.name), ['enc.conv.weight', 'enc.conv.bias', 'dec.big']);
  assert.equal(dropped, []);
  const back = readSafetensors(safetensors, 'w.safetensors');
  assert.equal(back.metadata, { source: 'w.pt' });
  assert.equal(back.tensors.get('enc.conv.weight')!.shape, [16, 3, 3, 3]);
  assert.equal(bits(back.tensors.get('enc.conv.weight')!.data), bits(conv));
  assert.equal(bits(back.tensors.get('enc.conv.bias')!.data), bits(bias));
  assert.equal(bits(back.tensors.get('dec.big')!.data), bits(big));
});

test('shared storage with offsets, a transposed view, a permuted 3-d view and a broadcast (stride 0)', () => {
  const base = range(24); // the edge-case file of tools/make_synthetic.py, plus two views
  const sd = stateDict([
    ['a.contig', tensor('s0', 0, [2, 3])],
    ['a.offset', tensor('s0', 6, [3])],
    ['a.transposed', tensor('s0', 12, [3, 4], [1, 3])],
    ['a.permuted', tensor('s0', 0, [4, 2, 3], [1, 12, 4])], // base.reshape(2,3,4).permute(2,0,1)
    ['a.expanded', tensor('s0', 5, [2, 3], [0, 1])],
  ]);
  const got = readTorchCheckpoint(torchSave(sd, { s0: f32Storage(base) }), 'edge.pt');
  const values = (k: string) => [...got.get(k)!.data];
  assert.equal(values('a.contig'), [0, 1, 2, 3, 4, 5]);
  assert.equal(values('a.offset'), [6, 7, 8]);
  // base[12:24].reshape(4, 3).T
  assert.equal(values('a.transposed'), [12, 15, 18, 21, 13, 16, 19, 22, 14, 17, 20, 23]);
  assert.equal(got.get('a.transposed')!.shape, [3, 4]);
  const permuted: number[] = [];
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) permuted.push(i * 12 + j * 4 + k);
  assert.equal(values('a.permuted'), permuted);
  assert.equal(values('a.expanded'), [5, 6, 7, 5, 6, 7]);
});

test('f16, bf16 and f64 become float32 with the right values; an i64 0-d scalar is read, then dropped on conversion', () => {
  const f64 = [0.1, -1e300, 1 / 3];
  const sd = stateDict([
    ['b.half', tensor('h', 0, [5])],
    ['b.bf16', tensor('b', 0, [1, 2])],
    ['bn.num_batches_tracked', tensor('n', 0, [], [])],
    ['d.double', tensor('d', 0, [3])],
    ['d.double_tail', tensor('d', 1, [2])],
  ]);
  const storages = {
    h: f16Storage([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00]), // 1, -2, ~1/3, 2^-24, +Inf
    b: bf16Storage([0x3f80, 0x4049]), // 1, 3.140625
    n: i64Storage([7n]),
    d: f64Storage(f64),
  };
  const pt = torchSave(sd, storages);
  const got = readTorchCheckpoint(pt, 'mixed.pt');
  assert.equal([...got.get('b.half')!.data], [1, -2, Math.fround(halfToFloat(0x3555)), 2 ** -24, Infinity]);
  assert.is(got.get('b.half')!.dtype, 'F16');
  assert.equal([...got.get('b.bf16')!.data], [1, 3.140625]);
  assert.equal([...got.get('d.double')!.data], f64.map(Math.fround));
  assert.equal([...got.get('d.double_tail')!.data], f64.slice(1).map(Math.fround));
  const scalar = got.get('bn.num_batches_tracked')!;
  assert.is(scalar.dtype, 'I64');
  assert.equal(scalar.shape, []);
  assert.ok(scalar.data instanceof BigInt64Array);
  assert.equal([...scalar.data], [7n]);

  const converted = convertTorchCheckpoint(pt, 'mixed.pt');
  assert.equal(converted.dropped, [{ name: 'bn.num_batches_tracked', dtype: 'I64', shape: [] }]);
  assert.ok(converted.notes.some((n) => n.includes('dropped 1 integer/bool tensors') && n.includes('bn.num_batches_tracked I64 []')));
  const back = readSafetensors(converted.safetensors, 'mixed.safetensors').tensors;
  assert.equal([...back.keys()].sort(), ['b.bf16', 'b.half', 'd.double', 'd.double_tail']);
  assert.equal(back.get('b.bf16')!.shape, [1, 2]);
  assert.equal([...back.get('d.double')!.data], f64.map(Math.fround));
});

test('byteorder: a big-endian file is swapped; a missing record means little; archive folder, deflate', () => {
  const values = [1.5, -2.25, 1e-30];
  const sd = stateDict([['w', tensor('0', 0, [3])], ['h', tensor('1', 1, [2])], ['n', tensor('2', 0, [], [])]]);
  const storages = { '0': f32Storage(values), '1': f16Storage([0x3c00, 0xc000, 0x3800]), '2': i64Storage([-3n]) };
  for (const opts of [{ byteorder: 'big' as const }, { byteorder: null }, { archive: 'final', deflate: true }]) {
    const got = readTorchCheckpoint(torchSave(sd, storages, opts), 'o.pt');
    assert.equal([...got.get('w')!.data], values.map(Math.fround), JSON.stringify(opts));
    assert.equal([...got.get('h')!.data], [-2, 0.5]);
    assert.equal([...got.get('n')!.data], [-3n]);
  }
  const odd = writeTorchZip(torchZipRecords(new PickleWriter().proto().op(0x4e).stop(), {}).map((r) =>
    (r.name.endsWith('byteorder') ? { ...r, data: new TextEncoder().encode('middle') } : r)));
  throwsUserError(() => readTorchCheckpoint(odd, 'odd.pt'), "byteorder record says 'middle'");
});

test('a dict wrapping the state_dict: the state_dict is used and the rest named in a note; nested dicts flatten', () => {
  const storages = { '0': f32Storage([1, 2]), '1': f32Storage([3]) };
  const wrapped = plainDict([
    ['epoch', 12],
    ['state_dict', stateDict([['fc.weight', tensor('0', 0, [1, 2])], ['fc.bias', tensor('1', 0, [1])]])],
    ['lr', 0.001],
  ]);
  const notes: string[] = [];
  const got = readTorchCheckpoint(torchSave(wrapped, storages), 'ckpt.pt', { notes });
  assert.equal([...got.keys()], ['fc.weight', 'fc.bias']);
  assert.equal(notes, ["using the checkpoint's 'state_dict' entry; ignoring epoch, lr"]);

  const nested = plainDict([
    ['encoder', stateDict([['conv.weight', tensor('0', 0, [2])]])],
    ['decoder', stateDict([['conv.bias', tensor('1', 0, [1])], ['steps', 5]])],
  ]);
  const notes2: string[] = [];
  const flat = readTorchCheckpoint(torchSave(nested, storages), 'nested.pt', { notes: notes2 });
  assert.equal([...flat.keys()], ['encoder.conv.weight', 'decoder.conv.bias']);
  assert.equal(notes2, ['ignored 1 entries that are not tensors: decoder.steps (int)']);

  const prefixed = convertTorchCheckpoint(torchSave(nested, storages), 'nested.pt', { prefix: 'model.' });
  assert.equal(prefixed.written.map((t) => t.name), ['model.encoder.conv.weight', 'model.decoder.conv.bias']);

  throwsUserError(() => readTorchCheckpoint(torchSave(plainDict([['epoch', 3]]), {}), 'e.pt'), 'contains no tensors');
});

test('a pickle naming os.system (or any code) is refused with a clear message', () => {
  const systemCall = (w: PickleWriter) => w.proto().global('os', 'system').tuple([() => w.str('echo pwned')]).op(0x52).stop();
  const stackGlobal = new PickleWriter().proto().str('builtins').str('eval').op(0x93).stop();
  const fromBytes = new PickleWriter().proto().global('torch.storage', '_load_from_bytes').stop();
  const script = new PickleWriter().proto().global('__torch__.MyNet', 'MyNet').stop();
  for (const [pkl, global] of [[systemCall(new PickleWriter()), 'os.system'], [stackGlobal, 'builtins.eval'], [fromBytes, 'torch.storage._load_from_bytes']] as const) {
    const pt = writeTorchZip(torchZipRecords(pkl, {}));
    throwsUserError(() => readTorchCheckpoint(pt, 'evil.pt'), 'refusing to load evil.pt', `'${global}'`, 'contains code, not just tensors');
  }
  throwsUserError(() => readTorchCheckpoint(writeTorchZip(torchZipRecords(script, {})), 'jit.pt'), 'TorchScript');
});

test('truncated zip, a non-zip file, a legacy pickle, a damaged entry and zip64: clear FusegradErrors', () => {
  const pt = torchSave(stateDict([['w', tensor('0', 0, [64])]]), { '0': f32Storage(range(64)) });
  assert.equal(readTorchCheckpoint(pt, 'ok.pt').get('w')!.data.length, 64);
  for (const cut of [pt.length - 10, Math.floor(pt.length / 2), 40]) {
    throwsUserError(() => readTorchCheckpoint(pt.subarray(0, cut), 'cut.pt'), 'cut.pt: the zip archive is truncated');
  }
  throwsUserError(() => readTorchCheckpoint(new TextEncoder().encode('hello, I am a text file'), 'notes.txt'), 'notes.txt: is not a zip archive');
  throwsUserError(() => readTorchCheckpoint(new Uint8Array(0), 'empty.pt'), 'is not a zip archive');
  throwsUserError(() => readTorchCheckpoint(Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc), 'old.pt'), 'legacy format', 'torch >= 1.6');

  const flipped = pt.slice();
  const at = Buffer.from(pt).indexOf(Buffer.from(Float32Array.of(10, 11).buffer)); // inside the storage's data
  assert.ok(at > 0);
  flipped[at] ^= 0xff;
  throwsUserError(() => readTorchCheckpoint(flipped, 'bad.pt'), 'fails its CRC check');

  const zip64 = pt.slice();
  const end = zip64.length - 22;
  new DataView(zip64.buffer).setUint32(end + 16, 0xffffffff, true); // directory offset saturated
  throwsUserError(() => readTorchCheckpoint(zip64, 'huge.pt'), 'zip64');

  const overrun = torchSave(stateDict([['w', tensor('0', 60, [8])]]), { '0': f32Storage(range(64)) });
  throwsUserError(() => readTorchCheckpoint(overrun, 'over.pt'), "tensor 'w'", 'reaches element 67 of a 64-element storage');
});

test('convert-pt CLI: writes the file and a summary; refuses to overwrite without --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convert-pt-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const input = join(dir, 'w.pt');
    const output = join(dir, 'w.safetensors');
    const sd = stateDict([['conv.weight', tensor('0', 0, [2, 3])], ['bn.num_batches_tracked', tensor('1', 0, [], [])]]);
    writeFileSync(input, torchSave(sd, { '0': f32Storage(range(6)), '1': i64Storage([1n]) }));
    assert.is(await convertPtMain([input, output, '--prefix', 'enc.']), 0);
    const back = readSafetensors(readBytes(output), output);
    assert.equal([...back.tensors.keys()], ['enc.conv.weight']);
    assert.equal(back.metadata, { format: 'pt', source: 'w.pt' });
    assert.ok(lines.some((l) => /enc\.conv\.weight\s+F32\s+\[2, 3\]/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('note: dropped 1 integer/bool tensors')), lines.join('\n'));
    assert.ok(lines.at(-1)!.startsWith('1 tensors, 6 parameters (F32) -> '), lines.join('\n'));

    const error = console.error;
    const errors: string[] = [];
    console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
    try {
      assert.is(await convertPtMain([input, output]), 2);
      assert.is(await convertPtMain([input, output, '--force']), 0);
    } finally {
      console.error = error;
    }
    assert.equal(errors, [`convert-pt: error: ${output}: already exists; pass --force to overwrite it`]);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('convert-pt CLI process: a non-zip input exits 2 with one error line and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convert-pt-'));
  try {
    const input = join(dir, 'notes.pt');
    writeFileSync(input, 'not a checkpoint');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/convert-pt.ts', input, join(dir, 'out.safetensors')], {
      cwd: root, encoding: 'utf8',
    });
    assert.is(run.status, 2, run.stderr);
    assert.is(run.stderr.trim(), `convert-pt: error: ${input}: is not a zip archive; expected a PyTorch checkpoint saved by torch.save (torch >= 1.6)`);
    assert.not.ok(existsSync(join(dir, 'out.safetensors')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LD-Lite weights: a .pt built from model.safetensors converts back to the same tensors', () => {
  if (!existsSync(LD_LITE)) {
    console.log(`  (skipped: ${LD_LITE} is missing)`);
    return;
  }
  const source = readSafetensors(readBytes(LD_LITE), 'model.safetensors').tensors;
  const storages: Record<string, FakeStorage> = {};
  const entries: Array<[string, ReturnType<typeof tensor>]> = [];
  for (const [name, t] of source) {
    const key = String(entries.length);
    storages[key] = { dtype: 'F32', bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
    entries.push([name, tensor(key, 0, t.shape)]);
  }
  const { safetensors, written } = convertTorchCheckpoint(torchSave(stateDict(entries), storages), 'final.pt');
  assert.is(written.length, source.size);
  const back = readSafetensors(safetensors, 'converted.safetensors').tensors;
  assert.is(back.size, source.size);
  for (const [name, t] of source) {
    const got = back.get(name);
    assert.ok(got, name);
    assert.equal(got.shape, t.shape, name);
    assert.ok(Buffer.compare(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)) === 0, name);
  }
});

test.run();

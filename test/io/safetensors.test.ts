import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FusegradError } from '../../src/errors.ts';
import { expectTensor, halfToFloat, readSafetensors, writeSafetensors } from '../../src/io/safetensors.ts';

/** A safetensors file from a header object and a data section, with no padding (as other writers may do). */
function raw(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function throwsUserError(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, FusegradError);
    const msg = (err as Error).message;
    for (const p of parts) assert.ok(msg.includes(p), `message "${msg}" lacks "${p}"`);
    return;
  }
  assert.unreachable('no error thrown');
}

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

test('round trip, with metadata; header 8-byte aligned and padded with spaces', () => {
  const tensors = {
    'enc.w': { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, 6]) },
    'a.bias': { shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) },
    scalar: { shape: [], data: Float32Array.of(42) },
    empty: { shape: [0, 4], data: new Float32Array(0) },
  };
  const bytes = writeSafetensors(tensors, { format: 'pt', model: 'didfuse' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is((8 + n) % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.ok(text.startsWith('{"__metadata__":{"format":"pt","model":"didfuse"},"a.bias"'), text);
  assert.ok(/^[^ ]*} *$/.test(text), 'padding is trailing spaces only');
  const back = readSafetensors(bytes, 'w.safetensors');
  assert.equal(back.metadata, { format: 'pt', model: 'didfuse' });
  assert.equal([...back.tensors.keys()].sort(), ['a.bias', 'empty', 'enc.w', 'scalar']);
  for (const [k, t] of Object.entries(tensors)) {
    const got = back.tensors.get(k)!;
    assert.equal(got.shape, t.shape);
    assert.is(got.dtype, 'F32');
    assert.equal([...got.data], [...t.data]);
  }
});

test('deterministic: key order of the input does not matter', () => {
  const a = writeSafetensors({ x: { shape: [1], data: Float32Array.of(1) }, y: { shape: [1], data: Float32Array.of(2) } });
  const b = writeSafetensors({ y: { shape: [1], data: Float32Array.of(2) }, x: { shape: [1], data: Float32Array.of(1) } });
  assert.equal(a, b);
  assert.equal(readSafetensors(a, 'a').metadata, {});
});

test('reads F16, BF16 and F64 as float32; no padding, data out of key order', () => {
  const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00]).buffer); // 1, −2, ~1/3, 2^-24, +Inf
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
  const f64 = new Uint8Array(Float64Array.from([0.1, -1e300]).buffer);
  const data = new Uint8Array([...f64, ...f16, ...bf16]);
  const file = raw({
    h: { dtype: 'F16', shape: [5], data_offsets: [16, 26] },
    b: { dtype: 'BF16', shape: [1, 2], data_offsets: [26, 30] },
    d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
  }, data);
  const { tensors } = readSafetensors(file, 'm.safetensors');
  assert.equal([...tensors.get('h')!.data], [1, -2, Math.fround(halfToFloat(0x3555)), 2 ** -24, Infinity]);
  assert.ok(Math.abs(tensors.get('h')!.data[2] - 1 / 3) < 1e-3);
  assert.equal([...tensors.get('b')!.data], [1, 3.140625]);
  assert.equal([...tensors.get('d')!.data], [Math.fround(0.1), -Infinity]);
  assert.is(tensors.get('b')!.dtype, 'BF16');
});

test('halfToFloat: subnormal, max, NaN', () => {
  assert.is(halfToFloat(0x7bff), 65504);
  assert.is(halfToFloat(0x8000), -0);
  assert.is(halfToFloat(0x03ff), 1023 * 2 ** -24);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('rejections, each a FusegradError naming the file', () => {
  const one = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  throwsUserError(() => readSafetensors(new Uint8Array(5), 'w.st'), 'w.st', 'truncated');
  const longHeader = raw(one, f32(1, 2));
  new DataView(longHeader.buffer).setBigUint64(0, 1000n, true);
  throwsUserError(() => readSafetensors(longHeader, 'w.st'), 'w.st: is truncated (header says its JSON is 1000 bytes');
  const absurd = raw(one, f32(1, 2));
  new DataView(absurd.buffer).setBigUint64(0, 2n ** 62n, true);
  throwsUserError(() => readSafetensors(absurd, 'w.st'), 'w.st', 'implausible');
  throwsUserError(() => readSafetensors(raw(null, f32(1), '{"w": '), 'w.st'), 'w.st', 'not valid UTF-8 JSON');
  throwsUserError(() => readSafetensors(raw([1, 2], new Uint8Array(0)), 'w.st'), 'not a JSON object');
  throwsUserError(() => readSafetensors(raw(one, f32(1)), 'w.st'), 'w.st: is truncated (header says 8 bytes of data, file has 4)');
  throwsUserError(() => readSafetensors(raw(one, f32(1, 2, 3)), 'w.st'), '4 bytes after the last tensor');
  throwsUserError(() => readSafetensors(raw({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), 'w.st'),
    "w.st: tensor 'w' has dtype I64; fusegrad reads only F32, F16, BF16 and F64");
  throwsUserError(() => readSafetensors(raw({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2)), 'w.st'),
    "tensor 'w' of shape [3] and dtype F32 needs 12 bytes, has 8");
  throwsUserError(() => readSafetensors(raw({
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
  }, f32(1, 2, 3)), 'w.st'), "tensor 'b' overlaps");
  throwsUserError(() => readSafetensors(raw({
    a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
  }, f32(1, 2, 3)), 'w.st'), "unused bytes before tensor 'b'");
  throwsUserError(() => readSafetensors(raw({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), 'w.st'), 'invalid shape');
  throwsUserError(() => readSafetensors(raw({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32(1)), 'w.st'), 'invalid data_offsets');
  throwsUserError(() => readSafetensors(raw({ w: { shape: [1], data_offsets: [0, 4] } }, f32(1)), 'w.st'), 'no dtype');
  throwsUserError(() => readSafetensors(raw({ __metadata__: { n: 3 } }, new Uint8Array(0)), 'w.st'), "__metadata__ value 'n' is not a string");
});

test('expectTensor: missing key, wrong shape, NaN/Inf, and the happy path', () => {
  const { tensors } = readSafetensors(writeSafetensors({
    'conv.w': { shape: [4, 1, 3, 3], data: new Float32Array(36).fill(0.5) },
    bad: { shape: [3], data: Float32Array.of(1, NaN, 2) },
    inf: { shape: [1], data: Float32Array.of(-Infinity) },
  }), 'm.safetensors');
  assert.is(expectTensor(tensors, 'conv.w', [4, 1, 3, 3], 'm.safetensors').length, 36);
  throwsUserError(() => expectTensor(tensors, 'conv.b', [4], 'm.safetensors'), "m.safetensors: has no tensor 'conv.b' (expected shape [4])");
  throwsUserError(() => expectTensor(tensors, 'conv.w', [4, 3, 3], 'm.safetensors'),
    "m.safetensors: tensor 'conv.w' has shape [4,1,3,3], expected [4,3,3]");
  throwsUserError(() => expectTensor(tensors, 'bad', [3], 'm.safetensors'), "tensor 'bad' holds NaN at index 1");
  throwsUserError(() => expectTensor(tensors, 'inf', [1], 'm.safetensors'), "tensor 'inf' holds -Infinity");
});

test('writer rejects inconsistent input (a programming error)', () => {
  assert.throws(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }), RangeError);
  assert.throws(() => writeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } }), RangeError);
});

test.run();

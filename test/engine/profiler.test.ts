// Kernel profiling (src/gpu/profiler.ts through Runtime.startProfiling/stopProfiling): every
// dispatch is counted under its kernel's name with a GPU time, results are unchanged, and more
// dispatches than the query set holds are split over submits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, tidy } from '../../src/index.ts';

const rt = await init({ quiet: true });
test.after(() => shutdown());

test('counts each kernel\'s dispatches and times them; outputs are the same as unprofiled', async () => {
  const a = tensor(Float32Array.from({ length: 64 }, (_, i) => i / 64), [8, 8]);
  const run = () => tidy(() => ops.add(ops.matmul(a, a), ops.mulScalar(a, 2)));
  const plain = run();
  const expected = await plain.read();
  plain.dispose();
  rt.startProfiling();
  const profiled = run();
  const kernels = await rt.stopProfiling();
  assert.equal(await profiled.read(), expected);
  const byName = new Map(kernels.map((k) => [k.kernel, k]));
  assert.is(byName.get('unary.mulScalar.vec4')?.dispatches, 1, JSON.stringify(kernels));
  assert.is(byName.get('binary.add.vec4')?.dispatches, 1);
  assert.ok([...byName.keys()].some((k) => k.startsWith('matmul')), 'the matmul kernel is listed');
  assert.ok(kernels.every((k) => k.ms >= 0 && Number.isFinite(k.ms)));
  for (let i = 1; i < kernels.length; i++) assert.ok(kernels[i - 1].ms >= kernels[i].ms, 'slowest first');
  profiled.dispose();
  a.dispose();
});

test('more dispatches than the query set holds (1024 pairs) are all counted', async () => {
  const x = tensor(new Float32Array(4).fill(1), [4]);
  rt.startProfiling();
  let y = x;
  for (let i = 0; i < 1500; i++) {
    const next = ops.addScalar(y, 1);
    if (y !== x) y.dispose();
    y = next;
  }
  const kernels = await rt.stopProfiling();
  assert.equal(await y.read(), new Float32Array([1501, 1501, 1501, 1501]));
  assert.is(kernels.find((k) => k.kernel === 'unary.addScalar.vec4')?.dispatches, 1500);
  y.dispose();
  x.dispose();
});

// Dawn rounds timestamps down to multiples of 65,536 ns unless told not to (src/gpu/device.ts):
// a sum of rounded durations is such a multiple, a sum of real ones almost never (1 in 65,536).
test('GPU times are not rounded to Dawn\'s 65.536 µs quantum', async () => {
  const x = tensor(new Float32Array(1 << 12).fill(1), [1 << 12]);
  rt.startProfiling();
  for (let i = 0; i < 16; i++) ops.mulScalar(x, 2).dispose();
  const kernels = await rt.stopProfiling();
  const ns = Math.round(kernels[0].ms * 1e6);
  assert.ok(ns % 65536 !== 0, `16 dispatches took ${ns} ns in all, a multiple of 65,536 ns: timestamps are quantised`);
  x.dispose();
});

test('stopProfiling without startProfiling is an error', async () => {
  const error = await rt.stopProfiling().then(() => null, (e: unknown) => e);
  assert.ok(error instanceof Error && /no profile was started/.test(error.message));
});

test.run();

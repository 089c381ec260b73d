// Misuse fails early with a message that names the shapes (or the rule) involved.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, liveTensorCount, ops, shutdown, tensor, tidy, zeros, type Tensor } from '../../src/index.ts';

const rt = await init({ quiet: true });
test.after(() => shutdown());

/** fn must throw, with a message containing every part. */
function throwsWith(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let message: string | null = null;
  try {
    fn();
  } catch (err) {
    message = (err as Error).message;
  }
  assert.ok(message !== null, `no error thrown (expected one mentioning ${parts.join(', ')})`);
  for (const p of parts) {
    const ok = typeof p === 'string' ? message.includes(p) : p.test(message);
    assert.ok(ok, `message "${message}" lacks ${p}`);
  }
}

/** Runs fn on fresh tensors of these shapes, disposing everything made. */
function withTensors(shapes: number[][], fn: (ts: Tensor[]) => unknown): () => unknown {
  return () => tidy(() => {
    fn(shapes.map((s) => zeros(s)));
  });
}

test('matmul: inner sizes that differ, with and without transpose flags, name both shapes', () => {
  throwsWith(withTensors([[2, 3], [4, 5]], ([a, b]) => a.matmul(b)), '[2, 3]', '[4, 5]', 'do not fit');
  throwsWith(withTensors([[2, 3], [2, 5]], ([a, b]) => a.matmul(b, { transB: true })), '[2, 3]', '[2, 5]');
  throwsWith(withTensors([[3, 2], [3, 5]], ([a, b]) => a.matmul(b)), '[3, 2]', '[3, 5]');
  throwsWith(withTensors([[2, 3, 4], [5, 4, 6]], ([a, b]) => a.matmul(b)), '[2, 3, 4]', '[5, 4, 6]'); // batches 2 vs 5
  throwsWith(withTensors([[4], [4, 2]], ([a, b]) => a.matmul(b)), 'rank', '[4]');
});

test('broadcasting: shapes that do not broadcast name both shapes, for every binary op', () => {
  for (const op of [ops.add, ops.sub, ops.mul, ops.div, ops.maximum, ops.minimum, ops.prelu]) {
    throwsWith(withTensors([[3, 4], [5]], ([a, b]) => op(a, b)), '[3, 4]', '[5]', 'broadcast');
  }
  throwsWith(withTensors([[7, 1, 3], [5, 2]], ([a, b]) => a.add(b)), '[7, 1, 3]', '[5, 2]');
});

test('reshape: a size mismatch or an impossible −1 names both shapes', () => {
  throwsWith(withTensors([[2, 3]], ([a]) => a.reshape([4])), '[2, 3]', '[4]');
  throwsWith(withTensors([[2, 3]], ([a]) => a.reshape([4, -1])), '[2, 3]', '[4, -1]');
  throwsWith(withTensors([[7]], ([a]) => a.reshape([2, 4])), '[7]', '[2, 4]');
});

test('other shape ops: bad permutation, slice out of range, concat mismatch, reduce axis out of range', () => {
  throwsWith(withTensors([[2, 3, 4]], ([a]) => a.permute([0, 1])), 'permut');
  throwsWith(withTensors([[2, 3, 4]], ([a]) => a.permute([0, 1, 1])), 'permut');
  throwsWith(withTensors([[2, 3]], ([a]) => a.slice([0, 1], [2, 4])), '[2, 3]');
  throwsWith(withTensors([[2, 3]], ([a]) => a.slice([0], [2])), '[2, 3]');
  throwsWith(withTensors([[2, 3], [2, 4]], ([a, b]) => ops.concat([a, b], 0)), '[2, 4]', '[2, 3]');
  throwsWith(withTensors([[2, 3]], ([a]) => a.sum({ axes: [2] })), '[2, 3]');
  throwsWith(withTensors([[2, 3]], ([a]) => a.T.T.matmul(a)), '[2, 3]');
});

// Regression (was src/ops/loss.ts:11 and :16): mse/l1 go through sub(), which broadcasts, so a
// prediction [3] against a target [3, 1] is silently the mean over a [3, 3] grid. The
// reference (src/reference/loss.ts) refuses different shapes; assertSameShape would.
test('losses: mse/l1 of different shapes is an error (no silent broadcast)', () => {
  throwsWith(withTensors([[3], [3, 1]], ([a, b]) => a.mse(b)), '[3]', '[3, 1]');
  throwsWith(withTensors([[3], [3, 1]], ([a, b]) => a.l1(b)), '[3]', '[3, 1]');
});

test('tensor(): data that does not fill the shape', () => {
  throwsWith(() => tensor([1, 2, 3], [2, 2]), '3', '[2, 2]');
});

test('tidy with an async function throws and says to await outside', () => {
  const asyncFn = (async () => undefined) as unknown as () => undefined;
  throwsWith(() => tidy(asyncFn), 'synchronous');
});

test('an error inside a kernel dispatch does not break the runtime: the next op works', async () => {
  throwsWith(withTensors([[2, 3], [4, 5]], ([a, b]) => a.matmul(b)), 'do not fit');
  const t = tensor([1, 2], [2]);
  const y = t.mul(3);
  assert.equal(Array.from(await y.read()), [3, 6]);
  t.dispose();
  y.dispose();
});

// Regression (was src/tensor/scope.ts:36-47): tidy() disposes its tensors only when fn returns; when fn
// throws (a shape error, or the async-function error above) the scope is popped and every
// tensor made inside is never disposed, so each failed step leaks its GPU buffers.
test('tidy disposes the tensors made inside it when fn throws', () => {
  const tensors = liveTensorCount();
  const buffers = rt.pool.getStats().liveBuffers;
  throwsWith(() => tidy(() => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = a.mul(2);
    return b.matmul(a); // [2, 3]·[2, 3]: throws
  }), 'do not fit');
  assert.is(liveTensorCount(), tensors, `${liveTensorCount() - tensors} tensors leaked by a tidy whose fn threw`);
  assert.is(rt.pool.getStats().liveBuffers, buffers, 'buffers leaked by a tidy whose fn threw');
});

test('tidy with an async function disposes what it made before throwing', () => {
  const tensors = liveTensorCount();
  const asyncFn = (async () => {
    tensor([1, 2], [2]); // runs synchronously, inside the scope
  }) as unknown as () => undefined;
  throwsWith(() => tidy(asyncFn), 'synchronous');
  assert.is(liveTensorCount(), tensors, `${liveTensorCount() - tensors} tensors leaked`);
});

test.run();

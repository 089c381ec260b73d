// Runtime.dispatch caches bind groups by buffers and sizes, with the params at a dynamic offset:
// a repeated step must hit the cache, and every dispatch must still see its own params and its
// own view size of a shared buffer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, noGrad, ops, optim, runtime, shutdown, tensor, tidy } from '../../src/index.ts';
import { gridCoordinates } from '../../src/models/coords.ts';
import { InrFuse } from '../../src/models/inrfuse.ts';

await init({ quiet: true });
test.after(() => shutdown());

/** Bind groups cached over every compiled kernel (white box: the cache is private to kernel.ts). */
function groupCount(): number {
  const cache = (runtime().pipelines as unknown as { cache: Map<string, { groups: Map<string, unknown> }> }).cache;
  return [...cache.values()].reduce((n, c) => n + c.groups.size, 0);
}

test('dispatches over the same buffers in one submit each see their own params', async () => {
  const x = tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7]), [7]);
  // the same kernel, the same input, five scalars, all recorded before one submit
  const outs = [1, 2, 3, 4, 5].map((s) => ops.mulScalar(x, s));
  const values = await Promise.all(outs.map((t) => t.read()));
  values.forEach((v, i) => assert.equal([...v], [1, 2, 3, 4, 5, 6, 7].map((e) => e * (i + 1)), `scalar ${i + 1}`));
  [x, ...outs].forEach((t) => t.dispose());
});

test('a repeated step reuses its bind groups (pooled buffers come back in the same order)', async () => {
  const x = tensor(Float32Array.from({ length: 33 }, (_, i) => i), [33]);
  const step = (s: number) => tidy(() => ops.sum(ops.mulScalar(ops.add(x, x), s)));
  const results: number[] = [];
  // warm-up: the pool's free lists settle within a few steps (6 with the GPU tuning's two-level sum)
  for (let i = 0; i < 8; i++) { const y = step(i); results.push((await y.read())[0]); y.dispose(); }
  const before = groupCount();
  for (let i = 8; i < 30; i++) { const y = step(i); results.push((await y.read())[0]); y.dispose(); }
  assert.is(groupCount(), before, 'new bind groups in steps 9–30: the cache does not hit');
  results.forEach((v, i) => assert.is(v, 2 * 528 * i, `step ${i}`)); // Σ 2x·s, Σ x = 528
  x.dispose();
});

test('an INRFuse training step, throttled like the fit loop, creates no bind groups once the pool is warm', async () => {
  const rt = runtime();
  const S = 8;
  const model = new InrFuse({ seed: 1, hidden: 16 });
  const target = (phase: number) => {
    const pixels = tensor(Float32Array.from({ length: S * S }, (_, i) => Math.sin(i + phase)), [S, S]);
    return { pixels, gradients: noGrad(() => model.gradient(pixels)), height: S, width: S };
  };
  const [ir, vis] = [target(0), target(1)];
  const coords = tensor(gridCoordinates(S, S), [S * S, 2]);
  const adam = new optim.Adam(model.net.parameters(), { lr: 1e-3 });
  const counts: number[] = [];
  for (let i = 0; i < 12; i++) {
    tidy(() => { adam.zeroGrad(); const l = model.loss(coords, ir, vis, true); l.backward(); adam.step(); return l; }).dispose();
    await rt.throttle();
    counts.push(groupCount());
  }
  // Warm after 2 steps with the CPU tuning, 5 with the GPU one (more buffers to allocate). LIFO
  // free lists let each step's release order permute the buffers: 3 to 54 new groups a step.
  assert.ok(counts.slice(6).every((c) => c === counts[5]), `bind groups after each step: ${counts.join(' ')}`);
  adam.dispose();
  model.net.dispose();
  for (const t of [coords, ir.pixels, ir.gradients, vis.pixels, vis.gradients]) t.dispose();
});

test('a pooled buffer bound again for a larger tensor gets a binding of the new size', async () => {
  // 5 and 7 floats share a size class: the second pair of tensors gets the first pair's buffers
  // back from the pool. A bind group cached with 20-byte bindings would hide the last 2 values
  // (on drivers that bound reads by the binding; SwiftShader does not, hence the count below).
  const rt = runtime();
  const small = tensor(Float32Array.from([1, 2, 3, 4, 5]), [5]);
  const a = ops.mulScalar(small, 2);
  assert.equal([...(await a.read())], [2, 4, 6, 8, 10]);
  const old = [small.buffer, a.buffer];
  [a, small].forEach((t) => t.dispose());
  // released buffers become reusable at the next submit (pool.ts): record something and submit
  const zero = tensor(Float32Array.from([0]), [1]);
  const nudge = ops.mulScalar(zero, 1);
  rt.flush();
  [nudge, zero].forEach((t) => t.dispose());
  const big = tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7]), [7]);
  const before = groupCount();
  const b = ops.mulScalar(big, 2);
  assert.equal([big.buffer, b.buffer], old, 'the pool did not hand the buffers back: the case does not arise');
  assert.is(groupCount(), before + 1, 'the same buffers at a new size reused the old bind group');
  assert.equal([...(await b.read())], [2, 4, 6, 8, 10, 12, 14]);
  [big, b].forEach((t) => t.dispose());
});

test.run();

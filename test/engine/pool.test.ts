// The buffer pool and the tensor count come back to where they started after a long training
// loop, and the pool stops allocating once warm (memory that grows per step is a leak).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool } from '../../src/gpu/pool.ts';
import { init, liveTensorCount, mulberry32, optim, shutdown, tensor, tidy, uniform, zeroGrad, type Tensor } from '../../src/index.ts';

const rt = await init({ quiet: true });
test.after(() => shutdown());

const STEPS = 1000;
const WARMUP = 20;

/** A 2 -> 8 -> 1 tanh MLP on 16 fixed points: every kind of op a real step records. */
function tinyModel(): { params: Tensor[]; x: Tensor; y: Tensor } {
  const rng = mulberry32(7);
  const x = uniform([16, 2], -1, 1, rng);
  const y = uniform([16, 1], -1, 1, rng);
  const params = [
    uniform([8, 2], -0.7, 0.7, rng, { requiresGrad: true }),
    uniform([8], -0.1, 0.1, rng, { requiresGrad: true }),
    uniform([1, 8], -0.35, 0.35, rng, { requiresGrad: true }),
    uniform([1], -0.1, 0.1, rng, { requiresGrad: true }),
  ];
  return { params, x, y };
}

test(`${STEPS} disposed training steps leave no live buffers or tensors behind, and allocated bytes stay flat after warm-up`, async () => {
  const { params, x, y } = tinyModel();
  const [w1, b1, w2, b2] = params;
  const opt = new optim.Adam(params, { lr: 1e-2 });
  const startBuffers = rt.pool.getStats().liveBuffers;
  const startTensors = liveTensorCount();

  const step = (): Tensor => tidy(() => {
    zeroGrad(params);
    const hidden = x.matmul(w1, { transB: true }).add(b1).tanh();
    const loss = hidden.matmul(w2, { transB: true }).add(b2).sub(y).square().mean();
    loss.backward();
    opt.step();
    return loss;
  });

  let warm = rt.pool.getStats();
  let first = NaN;
  let last = NaN;
  for (let i = 0; i < STEPS; i++) {
    const loss = step();
    if (i === 0) first = await loss.item();
    if (i === STEPS - 1) last = await loss.item();
    loss.dispose();
    await rt.throttle();
    if (i === WARMUP - 1) warm = rt.pool.getStats();
  }
  await rt.sync();
  const end = rt.pool.getStats();
  // The loop must have trained, or it did not do the work whose memory is being checked.
  assert.ok(last < first, `loss did not fall: ${first} -> ${last}`);
  assert.is(end.allocatedBytes, warm.allocatedBytes, `allocated bytes grew after warm-up: ${warm.allocatedBytes} -> ${end.allocatedBytes}`);
  assert.is(end.allocatedBuffers, warm.allocatedBuffers, `allocated buffers grew after warm-up: ${warm.allocatedBuffers} -> ${end.allocatedBuffers}`);
  assert.ok(end.reused > STEPS * 10, `the pool reused only ${end.reused} buffers in ${STEPS} steps`);

  // The parameters now hold gradients from the last step; dropping them must restore the start.
  zeroGrad(params);
  assert.is(rt.pool.getStats().liveBuffers, startBuffers, 'live buffers after the loop');
  assert.is(liveTensorCount(), startTensors, 'live tensors after the loop');

  opt.dispose();
  for (const t of [...params, x, y]) t.dispose();
});

test('a tensor and its reshape views hold one buffer until the last of them is disposed', () => {
  const before = rt.pool.getStats().liveBuffers;
  const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = t.reshape([3, 2]);
  assert.is(rt.pool.getStats().liveBuffers, before + 1);
  t.dispose();
  assert.is(rt.pool.getStats().liveBuffers, before + 1, 'the view still needs the buffer');
  v.dispose();
  assert.is(rt.pool.getStats().liveBuffers, before);
  v.dispose(); // a second dispose is a no-op, not a double release
  assert.is(rt.pool.getStats().liveBuffers, before);
});

test('a released buffer is reused (after a submit) for a tensor of the same size class', async () => {
  const a = tensor(new Float32Array(1000), [1000]);
  const used = a.mul(2); // a submit that uses a, then a is released
  a.dispose();
  await used.read();
  used.dispose();
  await rt.sync();
  const { reused, allocatedBuffers } = rt.pool.getStats();
  const b = tensor(new Float32Array(1000).fill(2), [1000]);
  const stats = rt.pool.getStats();
  assert.ok(stats.reused > reused, 'no buffer was reused');
  assert.is(stats.allocatedBuffers, allocatedBuffers);
  assert.is((await b.read())[999], 2);
  b.dispose();
});

test('a buffer released before a submit is not handed out again until that submit', async () => {
  // x is read by a recorded (unsubmitted) op, then disposed; the next tensor of its size must
  // not get x's buffer and overwrite its data before the op runs.
  const x = tensor(new Float32Array(64).fill(3), [64]);
  const y = x.mul(2);
  x.dispose();
  const z = tensor(new Float32Array(64).fill(-1), [64]);
  const values = await y.read();
  assert.ok(values.every((v) => v === 6), `y = 2x read ${values[0]} (x's buffer was overwritten before use)`);
  y.dispose();
  z.dispose();
});

test('free buffers come back in creation order, whatever order they were released in', () => {
  // A pool of its own over the real device, so the runtime's buffers are not disturbed.
  const pool = new BufferPool(rt.device);
  const buffers = [0, 1, 2, 3, 4].map((i) => pool.acquire(1024, `b${i}`));
  for (const i of [3, 0, 4, 1, 2]) pool.release(buffers[i]);
  pool.afterSubmit();
  const again = buffers.map((_, i) => pool.acquire(1024, `again${i}`));
  assert.equal(again.map((b) => buffers.indexOf(b)), [0, 1, 2, 3, 4], 'a step that acquires in the same order gets the same buffers');
  for (const b of again) pool.release(b);
  pool.afterSubmit();
  pool.trim();
});

test('free buffers are kept up to the peak of held bytes when that is above the cap, and destroyed beyond it', () => {
  // cap 2 KiB; a "step" holds 4 KiB at once: its buffers must come back next step, not be re-made
  const pool = new BufferPool(rt.device, 2048);
  const step = () => [0, 1, 2, 3].map((i) => pool.acquire(1024, `s${i}`));
  const first = step();
  for (const b of first) pool.release(b);
  pool.afterSubmit();
  const second = step();
  assert.equal(second.map((b) => first.indexOf(b)), [0, 1, 2, 3], 'the second step reuses the first step\'s buffers');
  assert.is(pool.getStats().allocatedBytes, 4096);
  for (const b of second) pool.release(b);
  pool.afterSubmit();
  // a step of four 2 KiB buffers: the peak becomes 8 KiB and 12 KiB are allocated; once freed,
  // the pool keeps 8 KiB of them and destroys the rest
  const larger = [0, 1, 2, 3].map((i) => pool.acquire(2048, `l${i}`));
  assert.is(pool.getStats().allocatedBytes, 12 * 1024);
  for (const b of larger) pool.release(b);
  pool.afterSubmit();
  assert.is(pool.getStats().allocatedBytes, 8 * 1024, 'free bytes beyond the peak are destroyed');
  pool.trim();
  assert.is(pool.getStats().allocatedBytes, 0);
});

test('a step that releases a buffer before its submit and then needs another keeps both for the next step', () => {
  // no cap: only the peak keeps buffers. The released buffer waits for the submit, so the step
  // holds two at its peak though only one is live at a time (as a SIREN step's activations).
  const pool = new BufferPool(rt.device, 0);
  const step = () => {
    const a = pool.acquire(1024, 'a');
    pool.release(a);
    const b = pool.acquire(1024, 'b');
    pool.release(b);
    pool.afterSubmit();
    return [a, b];
  };
  const first = step();
  assert.is.not(first[0], first[1], 'a released buffer is not handed out before the submit');
  const second = step();
  assert.equal(new Set([...first, ...second]).size, 2, 'the second step made no new buffer');
  assert.is(pool.getStats().allocatedBuffers, 2);
  pool.trim();
});

test('over the limit, buffers free the longest are destroyed first, not those a step just released', () => {
  // step A (four 1 KiB) ends; step B (four 2 KiB) runs while A's buffers are free: B's working set
  // must survive its own release, and A's (unused since) go instead
  const pool = new BufferPool(rt.device, 0);
  const stepA = [0, 1, 2, 3].map((i) => pool.acquire(1024, `a${i}`));
  for (const b of stepA) pool.release(b);
  pool.afterSubmit();
  const stepB = () => {
    const held = [0, 1, 2, 3].map((i) => pool.acquire(2048, `b${i}`));
    for (const b of held) pool.release(b);
    pool.afterSubmit();
    return held;
  };
  const first = stepB();
  const second = stepB();
  assert.equal(second.map((b) => first.indexOf(b)), [0, 1, 2, 3], 'the second B step reuses all of the first\'s buffers');
  assert.is(pool.getStats().allocatedBytes, 8 * 1024, 'step A\'s buffers were destroyed');
  pool.trim();
});

test.run();

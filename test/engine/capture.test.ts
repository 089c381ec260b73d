// A recorded step replayed (Runtime.capture / replay) gives bit for bit what running the step's
// JavaScript each time gives: INRFuse with Adam under both tunings (the GPU one updates three
// tensors per Adam pass), DIDFuse with BatchNorm, SGD with momentum under a changing learning
// rate. Replays must not write into buffers the pool has handed to other tensors meanwhile,
// and a recorded step that uploads or reads is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReplayedStep, Tensor, init, keep, noGrad, ops, optim, shutdown, tensor, tidy, zeros, type Runtime, type Tuning } from '../../src/index.ts';
import { gridCoordinates } from '../../src/models/coords.ts';
import { DIDFuse } from '../../src/models/didfuse.ts';
import { InrFuse } from '../../src/models/inrfuse.ts';
import { backward } from '../../src/tensor/autograd.ts';

const plane = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => 0.5 + 0.4 * Math.sin(0.37 * i + phase) * Math.cos(0.11 * i));

interface Trained {
  losses: number[];
  params: Float32Array[];
  stepCount: number;
  /** submits per replay (1 unless the step's params overflow the uniform arena) */
  segments: number;
}

/**
 * A model, its optimiser and one training step on fixed inputs; `steps` steps are run either
 * eagerly or as one capture and replays, reading the loss after each.
 */
interface Job {
  step(): Tensor;
  /** what a step changes: parameters, and state such as running statistics (read after the steps) */
  state(): Tensor[];
  optimiser: optim.Optimizer;
  /** between steps (a learning-rate schedule) */
  beforeStep?(step: number): void;
  dispose(): void;
}

async function train(job: Job, steps: number, replayed: boolean): Promise<Trained> {
  await init({ quiet: true });
  const losses: number[] = [];
  const replay = replayed ? new ReplayedStep(() => job.step()) : null;
  try {
    for (let s = 0; s < steps; s++) {
      job.beforeStep?.(s);
      const loss = replay ? replay.run() : job.step();
      losses.push(await loss.item());
      if (!replay) loss.dispose();
    }
    const params = await Promise.all(job.state().map((p) => p.read()));
    return { losses, params, stepCount: job.optimiser.stepCount, segments: replay?.recording?.segments.length ?? 0 };
  } finally {
    replay?.dispose();
    job.dispose();
  }
}

function inrJob(size: number, hidden: number): Job {
  const model = new InrFuse({ seed: 3, hidden });
  const target = (phase: number) => {
    const pixels = tensor(plane(size * size, phase).map((v) => 2 * v - 1), [size, size]);
    return { pixels, gradients: noGrad(() => model.gradient(pixels)), height: size, width: size };
  };
  const ir = target(0);
  const vis = target(1.3);
  const coords = tensor(gridCoordinates(size, size), [size * size, 2]);
  const optimiser = new optim.Adam(model.net.parameters(), { lr: 1e-3 });
  return {
    state: () => model.net.parameters(),
    optimiser,
    step: () => tidy(() => {
      optimiser.zeroGrad();
      const l = model.loss(coords, ir, vis, true);
      backward(l);
      optimiser.step();
      return l;
    }),
    dispose: () => {
      optimiser.dispose();
      for (const t of [coords, ir.pixels, ir.gradients, vis.pixels, vis.gradients]) t.dispose();
      model.net.dispose();
    },
  };
}

function didfuseJob(): Job {
  const size = 9;
  const model = new DIDFuse({ width: 4, seed: 2 });
  const vis = tensor(plane(size * size, 0), [1, 1, size, size]);
  const ir = tensor(plane(size * size, 1.3), [1, 1, size, size]);
  const optimiser = new optim.Adam(model.parameters(), { lr: 1e-2 });
  return {
    // the BatchNorm running statistics too: a step updates them on the GPU
    state: () => model.namedTensors().map(([, own]) => own.tensor),
    optimiser,
    step: () => tidy(() => {
      optimiser.zeroGrad();
      const l = model.loss(vis, ir).total;
      backward(l);
      optimiser.step();
      return l;
    }),
    dispose: () => {
      optimiser.dispose();
      vis.dispose();
      ir.dispose();
      model.dispose();
    },
  };
}

/** A 7→5 linear layer fitted by SGD with momentum, its learning rate halved every other step. */
function sgdJob(): Job {
  const x = tensor(plane(33 * 7, 0.2), [33, 7]);
  const y = tensor(plane(33 * 5, 0.9), [33, 5]);
  const w = tensor(plane(7 * 5, 2.1).map((v) => v - 0.5), [7, 5], { requiresGrad: true });
  const optimiser = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  const schedule = new optim.StepLR(optimiser, [2, 4], 0.5);
  return {
    state: () => [w],
    optimiser,
    beforeStep: (s) => schedule.step(s),
    step: () => tidy(() => {
      optimiser.zeroGrad();
      const l = ops.mse(ops.matmul(x, w), y);
      backward(l);
      optimiser.step();
      return l;
    }),
    dispose: () => {
      optimiser.dispose();
      for (const t of [x, y, w]) t.dispose();
    },
  };
}

function assertSame(name: string, eager: Trained, replayed: Trained): void {
  assert.equal(replayed.losses, eager.losses, `${name}: losses`);
  assert.is(replayed.stepCount, eager.stepCount, `${name}: the optimiser counts replayed steps`);
  eager.params.forEach((p, k) => {
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - replayed.params[k][i]));
    assert.is(worst, 0, `${name}: parameter ${k} differs by ${worst}`);
  });
  // the losses moved: the steps did something that a stale replay would not repeat
  assert.ok(eager.losses[eager.losses.length - 1] !== eager.losses[0], `${name}: the loss never changed`);
}

async function withTuning<T>(tuning: Tuning, fn: () => Promise<T>, uniformArenaBytes?: number): Promise<T> {
  shutdown();
  await init({ quiet: true, tuning, uniformArenaBytes });
  try {
    return await fn();
  } finally {
    shutdown();
  }
}

for (const tuning of ['cpu', 'gpu'] as const) {
  test(`INRFuse with Adam (${tuning} tuning, 7×7, width 32): 6 replayed steps equal 6 eager steps`, async () => {
    await withTuning(tuning, async () => {
      const eager = await train(inrJob(7, 32), 6, false);
      const replayed = await train(inrJob(7, 32), 6, true);
      assertSame('INRFuse', eager, replayed);
    });
  });
}

test('DIDFuse with BatchNorm and Adam (width 4, 9×9): replays equal eager steps', async () => {
  await withTuning('cpu', async () => {
    const replayed = await train(didfuseJob(), 4, true);
    assertSame('DIDFuse', await train(didfuseJob(), 4, false), replayed);
    assert.ok(replayed.segments > 1, `the step's params fill ${replayed.segments} uniform arena(s): the split is tested`);
  }, 64 * 1024); // 256 dispatches an arena, fewer than one step of this model
});

test('SGD with momentum and a step schedule: a replay uses the learning rate of its step', async () => {
  await withTuning('cpu', async () => {
    const eager = await train(sgdJob(), 6, false);
    const replayed = await train(sgdJob(), 6, true);
    assertSame('SGD', eager, replayed);
  });
});

test('a replay does not write into buffers handed to other tensors meanwhile; dispose gives the buffers back', async () => {
  await withTuning('cpu', async () => {
    const rt = (await init({ quiet: true })) as Runtime;
    /** Records a step, makes tensors, replays; returns the pool's buffer count once all is disposed. */
    const cycle = async (): Promise<number> => {
      const job = inrJob(7, 32);
      const recorded = rt.capture(() => job.step());
      await rt.sync();
      // every buffer the step released is parked for the replays, not free: tensors made now
      // get other buffers (they would share the step's intermediates' buffers otherwise)
      const bystanders = [7 * 7, 7 * 7 * 32, 2 * 7 * 7, 32 * 32, 32, 1].map((n, i) => tidy(() => noGrad(() => ops.mulScalar(tensor(plane(n, i), [n]), 1))));
      const expected = await Promise.all(bystanders.map((t) => t.read()));
      for (let s = 0; s < 3; s++) rt.replay(recorded.recording);
      const after = await Promise.all(bystanders.map((t) => t.read()));
      after.forEach((values, i) => assert.equal(values, expected[i], `tensor ${i} of ${values.length} was overwritten by a replay`));
      for (const t of bystanders) t.dispose();
      recorded.recording.dispose();
      (recorded.result as Tensor).dispose();
      job.dispose();
      await rt.sync();
      return rt.pool.getStats().allocatedBuffers;
    };
    const counts = [await cycle(), await cycle(), await cycle()];
    // parked buffers come back when the recording goes: the same work needs no new buffers
    assert.is(counts[2], counts[1], `buffers allocated after each cycle: ${counts.join(', ')}`);
  });
});

test('host data a recorded step uploads is baked in when constant, refused otherwise; reads and late uploads are refused', async () => {
  await withTuning('cpu', async () => {
    const rt = (await init({ quiet: true })) as Runtime;
    const data = new Float32Array([1, 2, 3]);
    assert.throws(() => rt.capture(() => tidy(() => noGrad(() => ops.mulScalar(tensor(data, [3]), 2)))), /uploads host data .* mark a constant/);
    const baked = rt.capture(() => tidy(() => noGrad(() => ops.mulScalar(tensor(data, [3], { constant: true }), 2))));
    data.fill(7);
    rt.replay(baked.recording);
    assert.equal(Array.from(await baked.result.read()), [2, 4, 6]);
    baked.recording.dispose();
    baked.result.dispose();
    // a tensor filled by two uploads: both are repeated
    const halves = rt.capture(() => tidy(() => noGrad(() => {
      const t = Tensor.empty([4]);
      rt.write(t.buffer, new Float32Array([1, 2]), 0, true);
      rt.write(t.buffer, new Float32Array([3, 4]), 8, true);
      return ops.mulScalar(t, 1);
    })));
    rt.replay(halves.recording);
    assert.equal(Array.from(await halves.result.read()), [1, 2, 3, 4]);
    halves.recording.dispose();
    halves.result.dispose();
    // a step that overwrites what it uploaded, after using it: each replay starts from the upload again
    const other = tensor([5, 6, 7], [3]);
    const overwritten = rt.capture(() => tidy(() => noGrad(() => {
      const x = tensor([1, 2, 3], [3], { constant: true });
      const out = ops.mulScalar(x, 2);
      rt.copy(other.buffer, 0, x.buffer, 0, 12);
      return out;
    })));
    rt.replay(overwritten.recording);
    assert.equal(Array.from(await overwritten.result.read()), [2, 4, 6]);
    overwritten.recording.dispose();
    overwritten.result.dispose();
    other.dispose();
    assert.throws(() => rt.capture(() => tidy(() => {
      const t = zeros([3]);
      rt.write(t.buffer, new Float32Array([1, 2, 3]), 0, true);
    })), /uploads into .* after binding it/);
    // state carried to the next step by replacing its tensor: a replay would read the old one
    let total = tensor([0, 0, 0], [3]);
    const increment = tensor([1, 1, 1], [3]);
    assert.throws(() => rt.capture(() => {
      const next = keep(noGrad(() => ops.add(total, increment)));
      total.dispose();
      total = next;
    }), /reads .* and then disposes it/);
    total.dispose();
    increment.dispose();
    const x = tensor([1, 2, 3], [3]);
    let read: Promise<unknown> = Promise.resolve();
    const { recording } = rt.capture(() => { read = x.read(); });
    recording.dispose();
    const error = await read.then(() => null, (e: unknown) => e);
    assert.ok(error instanceof Error && /cannot read back/.test(error.message), String(error));
    assert.throws(() => rt.capture(() => rt.capture(() => 0)), /being recorded already/);
    assert.throws(() => rt.capture(async () => 0), /must be synchronous/);
    const recorded = rt.capture(() => ops.mulScalar(x, 2));
    recorded.recording.dispose();
    assert.throws(() => rt.replay(recorded.recording), /disposed/);
    recorded.result.dispose();
    x.dispose();
    // a failed capture leaves the runtime as it was
    const y = noGrad(() => ops.mulScalar(tensor([1, 2], [2]), 3));
    assert.equal(Array.from(await y.read()), [3, 6]);
    y.dispose();
  });
});

test.run();

// Reductions (sum, mean, max, min over any axes) and the broadcast helpers on the GPU against
// src/reference/reduce.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, runtime, shutdown, tensor, tidy, type Tensor } from '../../src/index.ts';
import { groupChunk } from '../../src/ops/group_chunks.ts';
import * as ref from '../../src/reference/reduce.ts';
import { add as refAdd } from '../../src/reference/binary.ts';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor, sumToShape as refSumToShape } from '../../src/reference/tensor.ts';
import { distinctTensor } from '../reference/helpers.ts';
import { checkOp, type Tolerance } from './gpu-check.ts';
import { joinPairSums, pairSums, reductionForm, runPairSums, sumLeadingPair } from '../../src/ops/reduce.ts';

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

await init({ quiet: true });
test.after(() => shutdown());

interface Axes {
  axes?: number[];
  keepDims?: boolean;
}

/** Shapes and axis sets: one axis (first, middle, last, negative), adjacent runs, non-adjacent sets, all, none. */
const CASES: [number[], Axes][] = [
  [[1], {}],
  [[7], {}],
  [[257], { axes: [0] }], // one workgroup of 256 threads striding over 257
  [[1000], {}], // several elements per thread
  [[7, 33], { axes: [0] }],
  [[7, 33], { axes: [1] }],
  [[7, 33], { axes: [-1], keepDims: true }],
  [[3, 257], { axes: [1] }],
  [[257, 3], { axes: [0] }], // strided by `inner`
  [[3, 5, 7], { axes: [1] }],
  [[3, 5, 7], { axes: [1], keepDims: true }],
  [[3, 5, 7], { axes: [1, 2] }],
  [[3, 5, 7], { axes: [0, 1], keepDims: true }],
  [[3, 5, 7], { axes: [0, 2] }], // non-adjacent: two runs
  [[3, 5, 7], { axes: [0, 2], keepDims: true }],
  [[3, 1, 5], { axes: [1] }], // a size-1 axis
  [[2, 3, 4, 5], { axes: [1, 3] }],
  [[2, 3, 4, 5], { axes: [0, 2, 3] }],
  [[2, 3, 4, 5], { axes: [-4, -2], keepDims: true }],
  [[2, 3, 4, 5], { keepDims: true }],
  [[2, 3, 4, 5], { axes: [] }], // no axis: the identity
];

const caseText = (shape: number[], p: Axes): string =>
  `[${shape}] axes ${p.axes ? `[${p.axes}]` : 'all'}${p.keepDims ? ' keepDims' : ''}`;

/** A sum of n float32 terms in [−1, 1]: the error grows like √n. */
const sumTol = (n: number): Tolerance => ({ rtol: 1e-4, atol: 1e-6 * Math.max(10, Math.sqrt(n) * 4) });

function reduceCases(label: string, gpu: (x: Tensor, p: Axes) => Tensor, op: RefOp<Axes>, make: (shape: number[], rng: () => number) => CpuTensor): void {
  test(`${label}: ${CASES.length} shape/axes cases, forward and gradient`, async () => {
    const rng = mulberry32(label.length * 71);
    for (const [shape, p] of CASES) {
      const x = make(shape, rng);
      await checkOp({ label: `${label} ${caseText(shape, p)}`, inputs: [x], gpu: ([t]) => gpu(t, p), ref: op, params: p, forwardTol: sumTol(x.data.length) });
    }
  });
}

reduceCases('sum', (x, p) => ops.sum(x, p), ref.sum, (shape, rng) => randomTensor(shape, rng));
reduceCases('mean', (x, p) => ops.mean(x, p), ref.mean, (shape, rng) => randomTensor(shape, rng));
// Distinct values: no ties, so the extreme (and where its gradient goes) is unambiguous.
reduceCases('max', (x, p) => ops.max(x, p), ref.max, distinctTensor);
reduceCases('min', (x, p) => ops.min(x, p), ref.min, distinctTensor);

// Every kernel form on every adapter: a workgroup per output (the tree; auto only on real GPUs,
// for few outputs with rows ≥ 1024), rows split into runs summed by threads and then by the tree
// (auto on real GPUs for sums over rows ≥ 4096), rows summed in runs of 32, level after level
// (auto on real GPUs for the other sums over rows > 32; max and min fall back to a thread per
// output), and an invocation per output (a serial loop).
for (const form of ['workgroup', 'split', 'runs', 'thread'] as const) {
  test(`the '${form}' reduction form: sum, max, min over long rows, strided rows and two runs`, async () => {
    const rng = mulberry32(form.length);
    // 1,031 leaves a short last run of every length (256, 64, 32); 1,024 is whole runs of each
    const cases: [number[], Axes][] = [[[1031], {}], [[3, 1031], { axes: [1] }], [[1031, 3], { axes: [0] }], [[2, 1024], { axes: [1] }], [[3, 5, 7], { axes: [0, 2] }]];
    reductionForm.force = form;
    try {
      for (const [shape, p] of cases) {
        await checkOp({ label: `sum ${form} ${caseText(shape, p)}`, inputs: [randomTensor(shape, rng)], gpu: ([t]) => ops.sum(t, p), ref: ref.sum, params: p, forwardTol: sumTol(sizeOf(shape)) });
        await checkOp({ label: `max ${form} ${caseText(shape, p)}`, inputs: [distinctTensor(shape, rng)], gpu: ([t]) => ops.max(t, p), ref: ref.max, params: p });
        await checkOp({ label: `min ${form} ${caseText(shape, p)}`, inputs: [distinctTensor(shape, rng)], gpu: ([t]) => ops.min(t, p), ref: ref.min, params: p });
      }
    } finally {
      reductionForm.force = null;
    }
  });
}

// Kept axes in one block with reduced axes on both sides (a bias gradient: Σ over N, H, W) are one
// pass over x in chunks (reduce_groups.wgsl): a workgroup tree a chunk on GPUs, an invocation's
// loop on SwiftShader. Chunks of 300 give the tree's invocations more than one value each.
test('sums around a kept block of axes, each tuning\'s kernels, chunks of 1, 7, 300 and the default: forward and gradient', async () => {
  const rng = mulberry32(33);
  const cases: [number[], Axes][] = [
    [[2, 3, 4, 5], { axes: [0, 2, 3] }], [[3, 5, 257], { axes: [0, 2] }], [[257, 3, 2], { axes: [0, 2] }],
    [[2, 7, 33, 9], { axes: [0, 3], keepDims: true }], [[1, 4, 1, 1], { axes: [0, 2, 3] }], [[2, 3, 4, 5, 2], { axes: [0, 3, 4] }],
  ];
  try {
    for (const tuning of ['cpu', 'gpu'] as const) {
      shutdown();
      await init({ quiet: true, tuning });
      for (const chunk of [1, 7, 300, null]) {
        groupChunk.elements = chunk;
        for (const [shape, p] of cases) {
          await checkOp({ label: `sum ${tuning} chunk ${chunk ?? 'default'} ${caseText(shape, p)}`, inputs: [randomTensor(shape, rng)], gpu: ([t]) => ops.sum(t, p), ref: ref.sum, params: p, forwardTol: sumTol(sizeOf(shape)) });
        }
      }
    }
  } finally {
    groupChunk.elements = null;
    shutdown();
    await init({ quiet: true });
  }
});

test('a bias gradient, Σ over N, H and W of [2, 64, 16, 16], is one pass over x and the sum of its chunks', () => {
  const rt = runtime();
  const x = tensor(new Float32Array(2 * 64 * 16 * 16).fill(1), [2, 64, 16, 16]);
  tidy(() => {
    const before = rt.counters.dispatches;
    ops.sum(x, { axes: [0, 2, 3] });
    // 512 values a channel: 2 chunks of 256 on SwiftShader, summed by one more pass; 1 of 4,096 on GPUs
    assert.is(rt.counters.dispatches - before, rt.tuning === 'cpu' ? 2 : 1);
  });
  x.dispose();
});

test('a sum around a block over 301,000 values a group keeps float32 precision', async () => {
  const rng = mulberry32(34);
  const shape = [1000, 2, 301];
  const values = Float32Array.from({ length: sizeOf(shape) }, () => rng());
  const exact = [0, 0];
  values.forEach((v, i) => (exact[Math.floor(i / 301) % 2] += v));
  const x = tensor(values, shape);
  const total = ops.sum(x, { axes: [0, 2] });
  const got = await total.read();
  for (const g of [0, 1]) assert.ok(Math.abs(got[g] - exact[g]) / exact[g] < 2e-6, `group ${g}: ${got[g]} vs ${exact[g]}`);
  x.dispose();
  total.dispose();
});

test('a sum over 300,001 values keeps float32 precision with every kernel form (two-level sums)', async () => {
  const rng = mulberry32(21);
  const values = Float32Array.from({ length: 300_001 }, () => rng());
  let exact = 0;
  for (const v of values) exact += v;
  for (const form of ['workgroup', 'split', 'runs', 'thread', null] as const) {
    reductionForm.force = form;
    try {
      const x = tensor(values, [1, values.length, 1]);
      const total = ops.sum(x, { axes: [1] });
      const got = (await total.read())[0];
      assert.ok(Math.abs(got - exact) / exact < 2e-6, `${form ?? 'auto'}: ${got} vs ${exact}`);
      x.dispose();
      total.dispose();
    } finally {
      reductionForm.force = null;
    }
  }
});

// Two sums over the first axis in one pass (reduce_pair.wgsl), for the two sums that finish a
// layer's gradients: odd shapes; more than 32 columns (several workgroups each); 1, 3 and 5
// columns (1, 4 and 8 lanes, the rest of the workgroup down them); long columns over 16 and 8
// lanes (fewer loads an invocation, more workgroups); rows not a multiple of the
// invocations down a column; a sum of no rows; an empty operand; a 3-D one; a column too long for
// one pass (8,193 rows, 33 loads an invocation: both go to the engine's sums).
test('sumLeadingPair: both sums against the reference, odd shapes', async () => {
  const rng = mulberry32(31);
  const pairs: [number[], number[]][] = [
    [[1, 1], [7, 33]], [[257, 5], [3, 257]], [[16, 65], [129, 36]], [[33, 7, 3], [0, 4]], [[5, 0], [9, 65]],
    [[4096, 1], [300, 3]], [[8193, 1], [2, 7]], [[513, 40], [300, 9]], [[97, 40], [100, 9]], // 8 lanes (columns too long for 32 and 16); 16 (97 rows of 40 columns, 100 of 9)
  ];
  for (const [shapeA, shapeB] of pairs) {
    const [a, b] = [randomTensor(shapeA, rng), randomTensor(shapeB, rng)];
    const [ta, tb] = [tensor(Float32Array.from(a.data), a.shape), tensor(Float32Array.from(b.data), b.shape)];
    const sums = sumLeadingPair(ta, tb);
    for (const [k, x] of [a, b].entries()) {
      const want = ref.sum.forward([x], { axes: [0] });
      assert.equal(sums[k].shape, want.shape, `[${x.shape}] sum's shape`);
      const got = await sums[k].read();
      const tol = sumTol(x.shape[0]);
      want.data.forEach((w, i) => {
        assert.ok(Math.abs(got[i] - w) <= tol.atol + tol.rtol * Math.abs(w), `[${shapeA}] and [${shapeB}]: sum of [${x.shape}] at ${i}: ${got[i]} vs ${w}`);
      });
    }
    for (const t of [ta, tb, ...sums]) t.dispose();
  }
});

// Two pairs in one pass (a SIREN step's last two layers' sums): pairs of the shapes above, each
// pair's longer loops bound first, so that the groups of the second pair start past the first's;
// and on WebGPU's least 8 storage bindings, which the pass takes all of.
test('joinPairSums: two pairs of sums in one pass, against the reference', async () => {
  const rng = mulberry32(32);
  const quads: number[][][] = [
    [[1, 1], [7, 33], [257, 5], [3, 257]], [[16, 65], [129, 36], [1, 7], [5, 1]],
    [[4096, 1], [300, 3], [97, 40], [100, 9]], [[33, 7, 3], [2, 4], [513, 40], [300, 9]],
  ];
  const check = async (): Promise<void> => {
    for (const shapes of quads) {
      const xs = shapes.map((shape) => randomTensor(shape, rng));
      const ts = xs.map((x) => tensor(Float32Array.from(x.data), x.shape));
      const [p, q] = [pairSums(ts[0], ts[1]), pairSums(ts[2], ts[3])];
      assert.ok(p && q, 'pairSums takes these shapes');
      const before = runtime().counters.dispatches;
      const sums = runPairSums(joinPairSums(p, q));
      assert.is(runtime().counters.dispatches - before, 1, 'one pass');
      for (const [k, x] of xs.entries()) {
        const want = ref.sum.forward([x], { axes: [0] });
        assert.equal(sums[k].shape, want.shape, `[${x.shape}] sum's shape`);
        const got = await sums[k].read();
        const tol = sumTol(x.shape[0]);
        want.data.forEach((w, i) => {
          assert.ok(Math.abs(got[i] - w) <= tol.atol + tol.rtol * Math.abs(w), `${shapes.map((sh) => `[${sh}]`).join(' ')}: sum of [${x.shape}] at ${i}: ${got[i]} vs ${w}`);
        });
      }
      for (const t of [...ts, ...sums]) t.dispose();
    }
  };
  await check();
  shutdown();
  await init({ quiet: true, maxStorageBuffersPerShaderStage: 8 });
  try {
    await check();
  } finally {
    shutdown();
    await init({ quiet: true });
  }
});

test('the methods: x.sum() x.mean() x.max() x.min() with options', async () => {
  const rng = mulberry32(3);
  const x = distinctTensor([4, 6, 5], rng);
  const p = { axes: [0, 2], keepDims: true };
  await checkOp({ label: 'x.sum', inputs: [x], gpu: ([t]) => t.sum(p), ref: ref.sum, params: p });
  await checkOp({ label: 'x.mean', inputs: [x], gpu: ([t]) => t.mean(p), ref: ref.mean, params: p });
  await checkOp({ label: 'x.max', inputs: [x], gpu: ([t]) => t.max(p), ref: ref.max, params: p });
  await checkOp({ label: 'x.min', inputs: [x], gpu: ([t]) => t.min(p), ref: ref.min, params: p });
  await checkOp({ label: 'x.sum() (all)', inputs: [x], gpu: ([t]) => t.sum(), ref: ref.sum, params: {} });
  await checkOp({ label: 'x.sum({ axes: 1 }) (a number)', inputs: [x], gpu: ([t]) => t.sum({ axes: 1 }), ref: ref.sum, params: { axes: [1] } });
});

test('max/min ties: the whole gradient goes to the first extreme in row-major order', async () => {
  // Rows with repeated extremes, and a two-run reduction (axes 0 and 2) with ties across runs.
  const x = cpuTensor([2, 3, 4], [
    1, 3, 3, 0, /**/ 2, 2, 2, 2, /**/ -1, 5, 0, 5,
    3, 1, 3, 3, /**/ 2, 0, 2, -4, /**/ 5, -1, 5, 0,
  ]);
  for (const p of [{ axes: [2] }, { axes: [0, 2] }, { axes: [0] }, {}]) {
    await checkOp({ label: `max ties ${caseText([2, 3, 4], p)}`, inputs: [x], gpu: ([t]) => ops.max(t, p), ref: ref.max, params: p, centralDifference: false });
    await checkOp({ label: `min ties ${caseText([2, 3, 4], p)}`, inputs: [x], gpu: ([t]) => ops.min(t, p), ref: ref.min, params: p, centralDifference: false });
  }
});

test('broadcastTo: forward is a stretch, gradient sums back ([7,1,3] -> [5,7,4,3])', async () => {
  // Reference: x + zeros(target), differentiated in x only.
  const stretch = (target: number[]): RefOp => ({
    name: 'broadcastTo',
    forward: ([x]) => refAdd.forward([x, cpuTensor(target)]),
    backward: ([x], _p, g) => [refAdd.backward([x, cpuTensor(target)], undefined, g)[0]],
  });
  const rng = mulberry32(17);
  for (const [from, to] of [[[7, 1, 3], [5, 7, 4, 3]], [[1], [33]], [[33], [7, 33]], [[3, 1], [3, 257]]]) {
    await checkOp({ label: `broadcastTo [${to}]`, inputs: [randomTensor(from, rng)], gpu: ([x]) => ops.broadcastTo(x, to), ref: stretch(to), params: undefined });
  }
});

test('sumToShape: forward sums the broadcast axes, gradient stretches back', async () => {
  const reduceTo = (target: number[]): RefOp => ({
    name: 'sumToShape',
    forward: ([g]) => refSumToShape(g, target),
    backward: ([g], _p, r) => [refAdd.forward([r, cpuTensor(g.shape)])],
  });
  const rng = mulberry32(19);
  for (const [from, to] of [[[5, 7, 4, 3], [7, 1, 3]], [[7, 33], [33]], [[7, 33], [7, 1]], [[7, 33], [1]], [[3, 257], [3, 257]]]) {
    await checkOp({ label: `sumToShape [${from}] -> [${to}]`, inputs: [randomTensor(from, rng)], gpu: ([g]) => ops.sumToShape(g, to), ref: reduceTo(to), params: undefined, forwardTol: sumTol(70) });
  }
});

test.run();

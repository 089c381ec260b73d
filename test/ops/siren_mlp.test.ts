// The SIREN as one op (src/ops/siren_mlp.ts: the backward through each sine fused into the
// product before it) against the chain of the layer references (src/reference/siren_mlp.ts),
// with central differences on the small cases; then against the chain of sineLinear ops.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, noGrad, ops, runtime, shutdown, tensor, tidy, type Tensor } from '../../src/index.ts';
import { companionSums, firstLayerSums, lastLayerSums, weightGradientBeside } from '../../src/ops/siren_mlp.ts';
import { sharedFirstPass } from '../../src/ops/siren_mlp_forward.ts';
import { slicedK, transposeBFirst } from '../../src/ops/matmul_kernel.ts';
import { narrowLayer, pairedGradientSums, shortLayer } from '../../src/ops/sine_linear.ts';
import * as ref from '../../src/reference/siren_mlp.ts';
import { mulberry32, randomTensor, type CpuTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

const OMEGA = 30;
// sin(30·z) as in test/ops/sine_linear.test.ts; each layer's gradient passes through two more sines
const SINE_TOL = { rtol: 1e-3, atol: 2 ** -11 };
const gradTol = (M: number) => ({ rtol: 3e-3, atol: 2 * OMEGA * 2 ** -11 * Math.sqrt(M) });

/** x [M, widths[0]], then W, b per layer, in SIREN's ranges (first layer ±1/in, others ±√(6/in)/ω). */
function network(M: number, widths: number[], rng: () => number): CpuTensor[] {
  const inputs = [randomTensor([M, widths[0]], rng)];
  for (let l = 0; l + 1 < widths.length; l++) {
    const [fanIn, fanOut] = [widths[l], widths[l + 1]];
    const bound = l === 0 ? 1 / fanIn : Math.sqrt(6 / fanIn) / OMEGA;
    inputs.push(randomTensor([fanOut, fanIn], rng, -bound, bound), randomTensor([fanOut], rng, -0.5, 0.5));
  }
  return inputs;
}

const mlp = ([x, ...params]: Tensor[]): Tensor =>
  ops.sirenMlp(x, Array.from({ length: params.length / 2 }, (_, l) => ({ weight: params[2 * l], bias: params[2 * l + 1] })), OMEGA);

// [M, widths]: one point, odd widths (scalar cores), multiples of 4 (vec4 cores), a SIREN's shape in small
const CASES: [number, number[]][] = [[1, [2, 3, 1]], [7, [2, 5, 7, 1]], [33, [3, 8, 8, 2]], [65, [2, 36, 36, 36, 1]], [257, [2, 64, 64, 1]]];

async function checkCases(label: string, seed: number): Promise<void> {
  const rng = mulberry32(seed);
  for (const [M, widths] of CASES) {
    const inputs = network(M, widths, rng);
    await checkOp({
      label: `sirenMlp ${label} ${M} points, widths ${widths.join('→')}`, inputs, gpu: mlp, ref: ref.sirenMlp, params: { omega: OMEGA },
      forwardTol: SINE_TOL, gradTol: gradTol(M),
    });
  }
}

/** Runs `body` on a runtime started with `options` (the GPU tuning, a smaller limit), then starts the default one again. */
async function onRuntime(options: Parameters<typeof init>[0], body: () => Promise<void>): Promise<void> {
  shutdown();
  await init({ quiet: true, ...options });
  try {
    await body();
  } finally {
    shutdown();
    await init({ quiet: true });
  }
}

/** checkOp of the SIREN on `inputs` (M points) against the reference; returns the dispatches it took. */
async function checkCounted(label: string, inputs: CpuTensor[], M: number): Promise<number> {
  const before = runtime().counters.dispatches;
  await checkOp({ label, inputs, gpu: mlp, ref: ref.sirenMlp, params: { omega: OMEGA }, forwardTol: SINE_TOL, gradTol: gradTol(M) });
  return runtime().counters.dispatches - before;
}

test('sirenMlp: forward and the gradients of x and every W and b', async () => {
  await checkCases('cpu tuning', 1);
});

test('sirenMlp: coordinates without requiresGrad get no gradient', async () => {
  const rng = mulberry32(2);
  const inputs = network(9, [2, 8, 1], rng);
  await checkOp({
    label: 'sirenMlp, x constant', inputs, gpu: mlp, ref: ref.sirenMlp, params: { omega: OMEGA },
    requiresGrad: [false, true, true, true, true], forwardTol: SINE_TOL, gradTol: gradTol(9),
  });
});

// Narrow and short layer kernels, and K sliced within workgroups: GPU choices, forced here
test('sirenMlp with the GPU kernel choices forced: narrow last layer, short first layer, sliced K', async () => {
  narrowLayer.force = true;
  shortLayer.force = true;
  try {
    await checkCases('narrow + short', 3);
    const block = process.env.FUSEGRAD_MATMUL_BLOCK;
    process.env.FUSEGRAD_MATMUL_BLOCK = '4x4';
    slicedK.force = 2;
    try {
      await checkCases('narrow + short + 2 K slices', 4);
    } finally {
      slicedK.force = null;
      if (block === undefined) delete process.env.FUSEGRAD_MATMUL_BLOCK;
      else process.env.FUSEGRAD_MATMUL_BLOCK = block;
    }
  } finally {
    narrowLayer.force = null;
    shortLayer.force = null;
  }
});

// The GPU tuning on SwiftShader: each dW split into K slices across workgroups, their sum in one
// pass with db's partial sums (sumLeadingPair), and, for the A/B of the two, in passes apart; the
// hidden layers' weights copied transposed in one pass (forced for the layers under 256 points).
test('sirenMlp with the GPU tuning: dW slices and db partials summed in one pass, and apart; Wᵀ copies in one pass', () => onRuntime({ tuning: 'gpu' }, async () => {
  try {
    transposeBFirst.force = true;
    await checkCases('gpu tuning, W copied', 6);
    transposeBFirst.force = null;
    pairedGradientSums.enabled = false;
    await checkCases('gpu tuning, sums apart', 7);
  } finally {
    transposeBFirst.force = null;
    pairedGradientSums.enabled = true;
  }
}));

// The GPU tuning again: each layer's dW and db sums beside a later product through the sine
// (companionSums, the oldest waiting first), on a case whose dW products are split (1,024
// points), and apart.
test('sirenMlp with the GPU tuning: the waiting layers\' sums beside each product, and apart', () => onRuntime({ tuning: 'gpu' }, async () => {
  try {
    const inputs = network(1024, [2, 64, 64, 64, 1], mulberry32(8));
    const dispatches: number[] = [];
    for (const enabled of [true, false]) {
      companionSums.enabled = enabled;
      dispatches.push(await checkCounted(`sirenMlp, companion sums ${enabled ? 'on' : 'off'}`, inputs, 1024));
    }
    // four layers' sums: the last's and the second hidden layer's beside a product, the first two
    // layers' in one pass, where each took a pass of its own: three passes fewer
    assert.is(dispatches[1] - dispatches[0], 3, `dispatches with companions ${dispatches[0]}, without ${dispatches[1]}`);
  } finally {
    companionSums.enabled = true;
  }
}));

// Each hidden layer's dW made in the dispatch of its product through the sine
// (weightGradientBeside), forced: with the CPU tuning (16×16 blocks, dW in one slice) on cases
// whose hidden rows are whole vec4s (36 and 260 points; 33 and 65 keep the passes apart), and
// with the GPU tuning (4×4 blocks, K sliced within workgroups, dW split across them, the waiting
// sums beside the next product), on 512 points.
test('sirenMlp with each hidden layer\'s dW beside its product through the sine', async () => {
  weightGradientBeside.force = true;
  lastLayerSums.force = true; // and the last layer's in its product's epilogue, on either tuning
  sharedFirstPass.enabled = false; // its bindings, too, depend on the limit: counted apart
  try {
    const rng = mulberry32(9);
    for (const [M, widths] of [[36, [2, 8, 12, 4, 1]], [260, [3, 64, 64, 64, 1]], [33, [3, 8, 8, 2]], [65, [2, 36, 36, 36, 1]]] as [number, number[]][]) {
      await checkCounted(`sirenMlp, dW beside, cpu tuning, ${M} points, widths ${widths.join('→')}`, network(M, widths, rng), M);
    }
    // two layers: the one product's epilogue sums both layers' dW (3 inputs, 3 outputs), and db
    firstLayerSums.force = true;
    await checkCounted('sirenMlp, dW beside and first-layer sums, cpu tuning, 9 points, widths 3→8→3', network(9, [3, 8, 3], rng), 9);
    // the first layer's sums in the epilogue would take 2 more bindings: SwiftShader's 12 would
    // then leave out the companion, an H100's 16 not; counted without them
    firstLayerSums.force = false;
    // 512 points: each hidden dW split in 2 planes, so that the waiting sums pair beside the next product
    const inputs = network(512, [2, 64, 64, 64, 1], mulberry32(10));
    const dispatches: number[] = [];
    await onRuntime({ tuning: 'gpu' }, async () => {
      for (const force of [true, false]) {
        weightGradientBeside.force = force;
        dispatches.push(await checkCounted(`sirenMlp, dW beside ${force ? 'on' : 'off'}, gpu tuning`, inputs, 512));
      }
      // the dW passes of two hidden layers and of the last gone (the last's summed in its product's
      // epilogue); the first hidden layer's sums wait for a pass of their own at the end
      assert.is(dispatches[1] - dispatches[0], 2, `dispatches with dW beside ${dispatches[0]}, without ${dispatches[1]}`);
      // with the first layer's sums too: its thin product gone, and the companion beside them where
      // 13 bindings fit (an H100's 16), else the second hidden layer's sums in a pass of their own
      firstLayerSums.force = null;
      weightGradientBeside.force = true;
      const withFirst = await checkCounted('sirenMlp, dW beside and the first layer\'s sums, gpu tuning', inputs, 512);
      const allRoles = runtime().limits.maxStorageBuffersPerShaderStage >= 13;
      assert.is(withFirst, dispatches[0] - (allRoles ? 1 : 0), 'dispatches with dW beside and the first layer\'s sums');
      firstLayerSums.force = false;
    });
    // WebGPU's least 8 storage bindings: dW beside (7) without the companion (11)
    weightGradientBeside.force = true;
    await onRuntime({ tuning: 'gpu', maxStorageBuffersPerShaderStage: 8 }, async () => {
      const fewBindings = await checkCounted('sirenMlp, dW beside, gpu tuning, 8 storage bindings', inputs, 512);
      // no companion: the four layers' sums in two passes of two layers each, where the
      // companions left one pass of the first two layers'
      assert.is(fewBindings, dispatches[0] + 1, 'dispatches with 8 storage bindings');
    });
  } finally {
    weightGradientBeside.force = null;
    firstLayerSums.force = null;
    lastLayerSums.force = null;
    sharedFirstPass.enabled = true;
  }
});

// The last layer's dW summed in the epilogue of its product through the sine (lastLayerSums),
// without the hidden layers' dW beside theirs: forced with the CPU tuning (the scalar core, 1
// and 3 outputs), then with the GPU tuning, where it is the default, against the thin product it
// replaces. Every layer's sums then run one companion later, and the first two layers' share
// the last pass (reduce_pair.wgsl with two pairs).
test('sirenMlp: the last layer\'s dW in the epilogue of its product through the sine, and apart', async () => {
  lastLayerSums.force = true;
  try {
    const rng = mulberry32(15);
    for (const [M, widths] of [[7, [2, 5, 7, 1]], [36, [4, 8, 8, 3]]] as [number, number[]][]) {
      await checkCounted(`sirenMlp, last layer's sums in the epilogue, cpu tuning, ${M} points, widths ${widths.join('→')}`, network(M, widths, rng), M);
    }
    await onRuntime({ tuning: 'gpu' }, async () => {
      const inputs = network(512, [2, 64, 64, 64, 1], rng);
      const dispatches: number[] = [];
      for (const force of [null, false]) {
        lastLayerSums.force = force;
        dispatches.push(await checkCounted(`sirenMlp, last layer's sums ${force === null ? 'by default' : 'apart'}, gpu tuning, 512 points`, inputs, 512));
      }
      assert.is(dispatches[1] - dispatches[0], 1, `dispatches ${dispatches.join(' / ')}`);
    });
  } finally {
    lastLayerSums.force = null;
  }
});

// The first layer's dW summed by the epilogue of the product that makes its dz (firstLayerSums):
// forced with the CPU tuning (16×16 blocks, and the scalar core for odd widths, a two-layer SIREN
// whose one product is also the last layer's); then with the GPU tuning, where it is the default,
// against the thin product it replaces, and with 5 inputs, which keep that product.
test('sirenMlp: the first layer\'s dW in the epilogue of the product before it, and apart', async () => {
  firstLayerSums.force = true;
  try {
    const rng = mulberry32(11);
    for (const [M, widths] of [[7, [2, 5, 7, 1]], [36, [4, 8, 8, 2]], [9, [3, 8, 1]]] as [number, number[]][]) {
      await checkCounted(`sirenMlp, first layer's sums in the epilogue, cpu tuning, ${M} points, widths ${widths.join('→')}`, network(M, widths, rng), M);
    }
    await onRuntime({ tuning: 'gpu' }, async () => {
      for (const [M, widths] of [[260, [2, 64, 64, 1]], [33, [5, 8, 8, 1]]] as [number, number[]][]) {
        const inputs = network(M, widths, rng);
        const dispatches: number[] = [];
        for (const force of [null, false]) {
          firstLayerSums.force = force;
          dispatches.push(await checkCounted(`sirenMlp, first layer's sums ${force === null ? 'by default' : 'apart'}, gpu tuning, ${M} points, widths ${widths.join('→')}`, inputs, M));
        }
        assert.is(dispatches[1] - dispatches[0], widths[0] <= 4 ? 1 : 0, `${widths.join('→')}: dispatches ${dispatches.join(' / ')}`);
      }
    });
  } finally {
    firstLayerSums.force = null;
  }
});

/** A 5×64 SIREN's output on 260 points without autograd (z not kept), with the first pass shared or apart, and its passes. */
async function inference(shared: boolean): Promise<{ values: number[]; passes: number }> {
  sharedFirstPass.enabled = shared;
  const inputs = network(260, [2, 64, 64, 64, 64, 1], mulberry32(14)).map((t) => tensor(Float32Array.from(t.data), t.shape));
  const before = runtime().counters.dispatches;
  const y = noGrad(() => mlp(inputs));
  const passes = runtime().counters.dispatches - before;
  const values = Array.from(await y.read());
  for (const t of [y, ...inputs]) t.dispose();
  return { values, passes };
}

// The first layer and the later layers' weight copies in one pass (sharedFirstPass), the GPU
// tuning's default where the first layer takes the short kernel: with the copies forced (they
// start at 256 points), against the reference and against the two passes apart, on odd point
// counts with 1 to 3 copies of non-square weights (the last layer, narrow, takes none); then for
// inference (z not kept); then with WebGPU's least 8 storage bindings, which 3 copies exceed (11).
test('sirenMlp: the first layer and the later layers\' weight copies in one pass, and apart', async () => {
  await onRuntime({ tuning: 'gpu' }, async () => {
    transposeBFirst.force = true;
    try {
      const rng = mulberry32(13);
      const cases: [number, number[]][] = [[1, [2, 8, 12, 1]], [7, [2, 8, 12, 16, 1]], [33, [3, 12, 8, 8, 2]], [260, [2, 64, 64, 64, 64, 1]]];
      for (const [M, widths] of cases) {
        const inputs = network(M, widths, rng);
        const dispatches: number[] = [];
        for (const enabled of [true, false]) {
          sharedFirstPass.enabled = enabled;
          dispatches.push(await checkCounted(`sirenMlp, first pass ${enabled ? 'shared' : 'apart'}, ${M} points, widths ${widths.join('→')}`, inputs, M));
        }
        assert.is(dispatches[1] - dispatches[0], 1, `${widths.join('→')}: dispatches ${dispatches.join(' / ')}`);
      }
      const apart = await inference(false);
      const shared = await inference(true);
      assert.is(apart.passes - shared.passes, 1, `inference passes ${shared.passes} shared, ${apart.passes} apart`);
      assert.equal(shared.values, apart.values, 'inference output, shared and apart');
    } finally {
      transposeBFirst.force = null;
      sharedFirstPass.enabled = true;
    }
  });
  await onRuntime({ tuning: 'gpu', maxStorageBuffersPerShaderStage: 8 }, async () => {
    transposeBFirst.force = true;
    try {
      const [shared, apart] = [await inference(true), await inference(false)];
      assert.is(shared.passes, apart.passes, '8 storage bindings: inference passes, the first pass left apart');
      assert.equal(shared.values, apart.values, '8 storage bindings: inference output');
    } finally {
      transposeBFirst.force = null;
      sharedFirstPass.enabled = true;
    }
  });
});

// A device with WebGPU's least workgroup memory, 16 KiB, rejects a kernel that declares more: K in
// 4 slices of 4×4 blocks (12 KiB), the column sums of 3 first-layer inputs (4 KiB) and a
// companion's tree (1 KiB) do not fit one tile of 256 invocations, so the plan takes a smaller
// tile and leaves the companion out.
test('sirenMlp within 16 KiB of workgroup memory: 4 K slices, 3 first-layer inputs, a companion', () => onRuntime({ tuning: 'gpu', maxComputeWorkgroupStorageSize: 16384 }, async () => {
  slicedK.force = 4;
  try {
    await checkCounted('sirenMlp, 16 KiB of workgroup memory', network(1024, [3, 64, 64, 1], mulberry32(12)), 1024);
  } finally {
    slicedK.force = null;
  }
}));

test('sirenMlp agrees with the chain of sineLinear ops it replaces (a 5×64 SIREN on 300 points)', async () => {
  const rng = mulberry32(5);
  const inputs = network(300, [2, 64, 64, 64, 64, 1], rng).map((t, k) => tensor(Float32Array.from(t.data), t.shape, { requiresGrad: k > 0 }));
  const [x, ...params] = inputs;
  /** the output and every parameter's gradient of sum(y²), read back */
  const run = async (fused: boolean): Promise<Float32Array[]> => {
    for (const p of params) { p.grad?.dispose(); p.grad = null; }
    const y = tidy(() => {
      let h = x;
      if (fused) {
        h = mlp(inputs);
      } else {
        for (let l = 0; l < params.length / 2; l++) {
          const [w, b] = [params[2 * l], params[2 * l + 1]];
          h = l < params.length / 2 - 1 ? ops.sineLinear(h, w, b, OMEGA) : ops.linear(h, w, b);
        }
      }
      ops.sum(ops.mul(h, h)).backward();
      return h;
    });
    const values = await Promise.all([y, ...params.map((p) => p.grad as Tensor)].map((t) => t.read()));
    y.dispose();
    return values;
  };
  const fused = await run(true);
  const chain = await run(false);
  fused.forEach((values, k) => {
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < values.length; i++) {
      worst = Math.max(worst, Math.abs(values[i] - chain[k][i]));
      scale = Math.max(scale, Math.abs(chain[k][i]));
    }
    assert.ok(worst <= 1e-4 * scale + 1e-6, `${k === 0 ? 'output' : `gradient of parameter ${k - 1}`}: max difference ${worst} (scale ${scale})`);
  });
  for (const t of inputs) t.dispose();
});

test.run();

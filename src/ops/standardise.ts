/**
 * Standardisation of groups of x [N, C, H, W], fused: x̂ = (x − mean)/d per group, then an
 * optional affine map per group, scale_g·x̂ + shift_g. BatchNorm, InstanceNorm, AdaIN and LDFusion's
 * LayerNorm (src/ops/norm.ts) are this op with their groups, denominators and affine maps.
 * Composed from primitives, one BatchNorm in training took 20 dispatches forward and 26 back (a
 * DIDFuse training step about 1,150); here it takes 3 and 2, or 3 back when a group is long:
 *   forward:  moments of chunks of each group (shaders/standardise_statistics.wgsl, Welford and
 *             Chan, accurate in float32), their merge into (mean, 1/d, k, m) per group
 *             (standardise_finish.wgsl, which also moves BatchNorm's running statistics), and
 *             y (standardise_apply.wgsl);
 *   backward: sums of (dy, dy·x̂, x̂) over chunks of each group (standardise_gradient_sums.wgsl),
 *             their sum over the chunks (sumLeading), and dx with the affine map's gradients
 *             (standardise_backward.wgsl).
 * Groups and chunks in WGSL: shaders/standardise_chunks.wgsl. Float64 reference, with the
 * backward's derivation: src/reference/norm.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { sumLeading } from './reduce.ts';
import { reshape } from './shape.ts';

/** Which values share statistics in x [N, C, H, W]: a channel over N, H, W; a plane (n, c); a sample n. */
export type StatisticsGroup = 'channel' | 'plane' | 'sample';

export interface StandardiseOptions {
  over: StatisticsGroup;
  eps: number;
  /**
   * 'variance': d = √(biased variance + eps) (BatchNorm, InstanceNorm); 'std': d = unbiased std +
   * eps (LDFusion's LayerNorm)
   */
  epsOn: 'variance' | 'std';
  /** the affine map's scale and shift, a value per group: [C] for channels, [N, C] for planes */
  scale?: Tensor;
  shift?: Tensor;
  /**
   * BatchNorm's running statistics ([C] each), moved toward the batch's mean and unbiased variance
   * in place, not replaced: a recorded step (Runtime.capture) reads and writes the same buffers at
   * every replay, so state carried to the next step must stay put.
   */
  running?: { mean: Tensor; variance: Tensor; momentum: number };
}

/**
 * Values of a group that one workgroup (GPUs) or one invocation (SwiftShader) takes in the
 * statistics and gradient sums; a longer group is cut into chunks, so that BatchNorm's 64
 * channels over 2·128² pixels are 512 workgroups on a GPU rather than 64 (an H100 has 132 SMs).
 * On SwiftShader a chunk is one invocation's serial loop, whose float32 rounding grows with its
 * length: with loops of 1,024 the gradient of a bias before a BatchNorm (0 in exact arithmetic)
 * carried noise of 1.3e-5 in a DIDFuse step, against 9e-7 composed from primitives; loops of 256,
 * with the backward's centring (standardise_backward.wgsl), 5e-7 (test/engine/tuning.test.ts).
 * `elements` fixes the chunk (the tests force short ones on small shapes); null takes the tuning's.
 */
export const standardiseChunk: { elements: number | null } = { elements: null };
const CHUNK = { gpu: 4096, cpu: 256 };

/** Where group g's element t is (shaders/standardise_chunks.wgsl). */
interface Layout { groups: number; groupStride: number; runs: number; runLength: number; runStride: number }

function layoutOf([N, C, H, W]: readonly number[], over: StatisticsGroup): Layout {
  const plane = H * W;
  if (over === 'channel') return { groups: C, groupStride: plane, runs: N, runLength: plane, runStride: C * plane };
  if (over === 'plane') return { groups: N * C, groupStride: plane, runs: 1, runLength: plane, runStride: 0 };
  return { groups: N, groupStride: C * plane, runs: 1, runLength: C * plane, runStride: 0 };
}

/**
 * The first levels, each with a workgroup tree a chunk for GPUs and an invocation a chunk for
 * SwiftShader: there the trees' barriers made a DIDFuse training step at 2×16² take 1.4 s of
 * kernels against 1.0 s composed from primitives.
 */
const chunkKernels = (name: string, file: string, inputs: number): { gpu: Kernel; cpu: Kernel } => ({
  gpu: { name, file, inputs, outputs: 1, uniform: true },
  cpu: { name: `${name}.per_thread`, file, entryPoint: 'per_thread', inputs, outputs: 1, uniform: true },
});
const STATISTICS = chunkKernels('standardise.statistics', 'standardise_statistics.wgsl', 1);
const GRADIENT_SUMS = chunkKernels('standardise.gradient_sums', 'standardise_gradient_sums.wgsl', 3);

const finishKernels = new Map<string, Kernel>();
/** The merge of the chunks' moments; BatchNorm's variant also binds and moves the running statistics. */
function finishKernel(epsOnStd: boolean, running: boolean): Kernel {
  const name = `standardise.finish${epsOnStd ? '.std' : ''}${running ? '.running' : ''}`;
  let k = finishKernels.get(name);
  if (!k) {
    k = {
      name, file: 'standardise_finish.wgsl', inputs: 1, outputs: running ? 3 : 1, uniform: true, constants: { EPS_ON_STD: Number(epsOnStd) },
      snippets: running ? {
        RUNNING_DECLARATIONS: '@group(0) @binding(2) var<storage, read_write> running_mean: array<f32>;\n' +
          '@group(0) @binding(3) var<storage, read_write> running_var: array<f32>;',
        RUNNING_UPDATE: '  running_mean[g] = (1.0 - params.momentum) * running_mean[g] + params.momentum * m.y;\n' +
          '  running_var[g] = (1.0 - params.momentum) * running_var[g] + params.momentum * m.z / (count - 1.0);',
        PARAMS_BINDING: '4',
      } : { RUNNING_DECLARATIONS: '', RUNNING_UPDATE: '', PARAMS_BINDING: '2' },
    };
    finishKernels.set(name, k);
  }
  return k;
}

const affineVariants = (name: string, file: string, inputs: number, outputs: number): Record<'affine' | 'plain', Kernel> => ({
  affine: { name, file, inputs, outputs, uniform: true, constants: { AFFINE: 1 } },
  plain: { name: `${name}.plain`, file, inputs, outputs, uniform: true, constants: { AFFINE: 0 } },
});
const APPLY = affineVariants('standardise.apply', 'standardise_apply.wgsl', 4, 1);
const BACKWARD = affineVariants('standardise.backward', 'standardise_backward.wgsl', 5, 3);

/** The chunk geometry's params, shared by the statistics and the gradient sums. */
function chunkParams(layout: Layout, chunk: number, chunks: number): Params {
  return new Params().u32(layout.groups * chunks).u32(layout.groups).u32(chunk)
    .u32(layout.groupStride).u32(layout.runs).u32(layout.runLength).u32(layout.runStride);
}

function check(x: Tensor, options: StandardiseOptions, layout: Layout): void {
  if (x.rank !== 4) throw new Error(`standardise needs x [N, C, H, W], got ${shapeString(x.shape)}`);
  const perGroup = options.over === 'plane' ? [x.shape[0], x.shape[1]] : options.over === 'channel' ? [x.shape[1]] : [x.shape[0]];
  for (const t of [options.scale, options.shift, options.running?.mean, options.running?.variance]) {
    if (t && t.size !== layout.groups) throw new Error(`standardise: ${shapeString(t.shape)} is not a value per ${options.over} ([${perGroup.join(', ')}]) of x ${shapeString(x.shape)}`);
  }
  if (!options.scale !== !options.shift) throw new Error('standardise: scale and shift come together');
  if (options.running && options.over !== 'channel') throw new Error('standardise: running statistics are BatchNorm\'s, over channels');
}

/** x̂ per group, then scale_g·x̂ + shift_g when given. */
export function standardise(x: Tensor, options: StandardiseOptions): Tensor {
  const layout = layoutOf(x.shape, options.over);
  check(x, options, layout);
  const { scale, shift, running } = options;
  const rt = runtime();
  const count = layout.runs * layout.runLength;
  const y = Tensor.empty(x.shape, 'standardise');
  if (!x.size) return y;
  const tuning = rt.tuning;
  const chunk = Math.max(1, standardiseChunk.elements ?? CHUNK[tuning]);
  const chunks = Math.ceil(count / chunk);
  const slots = layout.groups * chunks;
  const chunkGrid = rt.grid1d(slots, tuning === 'gpu' ? 1 : 64);

  const partials = Tensor.empty([chunks, layout.groups, 4], 'standardise.moments');
  rt.dispatch(STATISTICS[tuning], { inputs: [x], outputs: [partials], params: chunkParams(layout, chunk, chunks), workgroups: chunkGrid });
  const stats = Tensor.empty([layout.groups, 4], 'standardise.stats'); // mean, 1/d, k, m
  rt.dispatch(finishKernel(options.epsOn === 'std', !!running), {
    inputs: [partials], outputs: running ? [stats, running.mean, running.variance] : [stats],
    params: new Params().u32(layout.groups).u32(chunks).f32(options.eps).f32(running?.momentum ?? 0),
    workgroups: rt.grid1d(layout.groups, 64),
  });
  partials.dispose();
  const applyParams = () => new Params().u32(x.size).u32(layout.groups).u32(layout.groupStride);
  // without an affine map, x stands in for scale and shift: bound, never read
  rt.dispatch(scale ? APPLY.affine : APPLY.plain, {
    inputs: [x, stats, scale ?? x, shift ?? x], outputs: [y], params: applyParams(), workgroups: rt.grid1d(x.size, 256),
  });

  const inputs = scale && shift ? [x, scale, shift] : [x];
  const out = record(y, 'standardise', inputs, (dy) => {
    const sums = Tensor.empty([chunks, layout.groups, 4], 'standardise.gradient_sums');
    rt.dispatch(GRADIENT_SUMS[tuning], { inputs: [x, dy, stats], outputs: [sums], params: chunkParams(layout, chunk, chunks), workgroups: chunkGrid });
    const total = sumLeading(sums); // [groups, 4]: Σ dy, Σ dy·x̂, Σ x̂, 0
    const dx = Tensor.empty(x.shape, 'standardise.dx');
    const dScale = Tensor.empty([layout.groups], 'standardise.dscale');
    const dShift = Tensor.empty([layout.groups], 'standardise.dshift');
    rt.dispatch(scale ? BACKWARD.affine : BACKWARD.plain, {
      inputs: [x, dy, stats, scale ?? x, total], outputs: [dx, dScale, dShift], params: applyParams(), workgroups: rt.grid1d(x.size, 256),
    });
    if (!scale || !shift) return [dx];
    return [dx, reshape(dScale, scale.shape), reshape(dShift, shift.shape)];
  });
  if (!out.node) stats.dispose(); // nothing will differentiate it: the statistics are done with
  return out;
}

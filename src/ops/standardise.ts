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
 * Groups and chunks: src/ops/group_chunks.ts. Float64 reference, with the
 * backward's derivation: src/reference/norm.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { blockLayout, chunkKernels, chunkPass, type GroupLayout } from './group_chunks.ts';
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

/** Where group g's element t is (src/ops/group_chunks.ts). */
function layoutOf([N, C, H, W]: readonly number[], over: StatisticsGroup): GroupLayout {
  if (over === 'channel') return blockLayout(N, C, H * W);
  return over === 'plane' ? blockLayout(1, N * C, H * W) : blockLayout(1, N, C * H * W);
}

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

function check(x: Tensor, options: StandardiseOptions, layout: GroupLayout): void {
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
  const y = Tensor.empty(x.shape, 'standardise');
  if (!x.size) return y;
  const pass = chunkPass(layout);
  const { chunks } = pass;

  const partials = Tensor.empty([chunks, layout.groups, 4], 'standardise.moments');
  rt.dispatch(STATISTICS[rt.tuning], { inputs: [x], outputs: [partials], params: pass.params(), workgroups: pass.workgroups });
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
    rt.dispatch(GRADIENT_SUMS[rt.tuning], { inputs: [x, dy, stats], outputs: [sums], params: pass.params(), workgroups: pass.workgroups });
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

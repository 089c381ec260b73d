/**
 * A SIREN (sine layers, then a linear one) as one op, so that its backward can fuse across
 * layers. The gradient at a layer's input, dx = dz·W, is the gradient at the previous layer's
 * output: the kernel that computes it (shaders/siren_mlp_backward.wgsl) also applies that
 * layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and sums each tile's rows of its db. The chain of
 * sineLinear ops computes dz in a pass of its own, which reads dx back (sine_linear_backward.wgsl):
 * here each layer but the last has one pass, and one write and read of [points, width], fewer.
 * Each layer's dW (split into K slices on GPUs) and db end in two sums; that kernel's workgroups
 * also run the sums of the layer after it (companionSums): a pass fewer per layer. It can also
 * make the layer's dW itself (weightGradientBeside), which then needs no pass of its own.
 * Forward: each layer's own kernel (src/ops/sine_linear.ts layerForward), as sineLinear's, with
 * the weights those kernels read transposed copied first, in one pass.
 * Shapes: x [M, in]; layers { weight [out, in], bias [out] } → [M, out of the last].
 * Float64 reference: src/reference/siren_mlp.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor } from '../tensor/tensor.ts';
import { matmulPartials, splitK } from './matmul.ts';
import { matmulPlan, usesVec4Core, type SecondCore } from './matmul_kernel.ts';
import { pairSums, type PairSums } from './reduce.ts';
import { finishGradients, forwardWeightCopies, gradientParts, layerForward, pairedGradientParts, type GradientParts } from './sine_linear.ts';

export interface MlpLayer {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}

/** workgroup memory of the kernel's column sums: a float per invocation and column of its block */
const COLUMN_SUM_BYTES = 4;
/** workgroup memory of pair_sums.wgsl's tree: a float per invocation of 256 */
const PAIR_SUMS_BYTES = 256 * 4;
/** the params of pair_sums.wgsl where no companion runs (PairSums.fields: 7 of them) */
const PAIR_FIELDS_UNUSED = [0, 0, 0, 0, 0, 0, 0];

/**
 * What the kernel runs beside its product: a companion's sums, layer l's weight gradient, the
 * first layer's weight gradient in its epilogue (that layer's inputs; 0: not).
 */
interface Roles {
  companion: boolean;
  weightGradient: boolean;
  firstInputs: number;
}

/** The storage buffers the kernel binds with `roles`, in binding order: its reads, then its writes. */
function bufferNames({ companion, weightGradient, firstInputs }: Roles): { reads: string[]; writes: string[] } {
  return {
    reads: ['A', 'B', 'Z', ...(weightGradient ? ['X'] : []), ...(firstInputs ? ['X0'] : []), ...(companion ? ['PAIR_A', 'PAIR_B'] : [])],
    writes: ['DZ', 'PARTIAL', ...(weightGradient ? ['DW'] : []), ...(firstInputs ? ['FIRST_PARTIAL'] : []), ...(companion ? ['PAIR_SA', 'PAIR_SB'] : [])],
  };
}

/** Whether the adapter has the storage bindings of a kernel with `roles`. */
const bindingsFit = (roles: Roles): boolean => {
  const { reads, writes } = bufferNames(roles);
  return reads.length + writes.length <= runtime().limits.maxStorageBuffersPerShaderStage;
};

const kernels = new Map<string, Kernel>();

/** The kernel (shaders/siren_mlp_backward.wgsl) with the roles' bindings and calls. */
function throughSineKernel(roles: Roles): Kernel {
  const name = `siren_mlp_backward${roles.companion ? '.companion' : ''}${roles.weightGradient ? '.dw' : ''}${roles.firstInputs ? `.first${roles.firstInputs}` : ''}`;
  let kernel = kernels.get(name);
  if (kernel) return kernel;
  const { reads, writes } = bufferNames(roles);
  const at = (buffer: string) => String([...reads, ...writes].indexOf(buffer));
  const declare = (buffer: string, access: 'read' | 'read_write') => `@group(0) @binding(${at(buffer)}) var<storage, ${access}> ${buffer}: array<f32>;`;
  kernel = {
    name, file: 'siren_mlp_backward.wgsl', inputs: reads.length, outputs: writes.length, uniform: true,
    snippets: {
      DZ_BINDING: at('DZ'), PARTIAL_BINDING: at('PARTIAL'), PARAMS_BINDING: String(reads.length + writes.length),
      COMPANION_DECLARATIONS: roles.companion
        ? [declare('PAIR_A', 'read'), declare('PAIR_B', 'read'), declare('PAIR_SA', 'read_write'), declare('PAIR_SB', 'read_write'), '#include "pair_sums.wgsl"'].join('\n')
        : '', // companion_rows = 0
      COMPANION_CALL: roles.companion ? '    pair_sums(grid_id.y * nwg.x + grid_id.x, index);' : '',
      DW_DECLARATIONS: roles.weightGradient
        ? ['@group(0) @binding(' + at('X') + ') var<storage, read> X: array<vec4<f32>>;', declare('DW', 'read_write'), '#include "siren_mlp_weight_gradient.wgsl"'].join('\n')
        : '', // dw_rows = 0
      DW_CALL: roles.weightGradient ? '    weight_gradient(grid_id.x, grid_id.y - params.companion_rows, lid);' : '',
      FIRST_IN: String(roles.firstInputs),
      FIRST_DECLARATIONS: roles.firstInputs
        ? [declare('X0', 'read'), declare('FIRST_PARTIAL', 'read_write')].join('\n')
        : 'var<private> X0: array<f32, 1>;\nvar<private> FIRST_PARTIAL: array<f32, 1>;', // never touched: FIRST_IN = 0
    },
  };
  kernels.set(name, kernel);
  return kernel;
}

/** The weight gradient's core: dzᵀ·x, reading dz as the product's A and x as X (siren_mlp_weight_gradient.wgsl). */
const WEIGHT_GRADIENT_CORE: SecondCore = { snippet: 'DW_CORE', transA: true, transB: false, names: { fn: 'matmul_block_dw', a: 'A', b: 'X', dims: 'dw_dims()' } };

/**
 * Whether the previous layer's sums run beside each product through the sine (see
 * throughSine): 4 dispatches fewer in a 5-layer SIREN's step. Off for an A/B.
 */
export const companionSums = { enabled: true };

/**
 * Whether a hidden layer's dW = dzᵀ·x is made in the dispatch of its product through the sine
 * (siren_mlp_weight_gradient.wgsl): both read dz, so neither waits for the other. At 64² each of
 * the two products is half a wave on an H100 and a barrier costs 3.4–4.0 µs (bench/RESULTS.md):
 * the pair in one dispatch fills the GPU once, not half of it twice, and a step has two
 * dispatches fewer. Off until an A/B on a GPU (`npm run bench:ab`) measures it, unless
 * FUSEGRAD_DW_BESIDE=1 at start (for `bench:profile`); `force` makes the choice on any tuning (tests).
 */
export const weightGradientBeside: { enabled: boolean; force: boolean | null } = {
  enabled: typeof process !== 'undefined' && process.env?.FUSEGRAD_DW_BESIDE === '1',
  force: null,
};

/**
 * What the kernel may run beside its product (throughSine): `companion`, a layer's last sums;
 * `x`, layer l's input, for its dW (see weightGradientFits); `firstX`, the first layer's input
 * [M, ≤ 4], when dz_prev is that layer's dz, for its dW's first sums (see firstLayerSums).
 */
interface Beside {
  companion: PairSums | null;
  x: Tensor | null;
  firstX: Tensor | null;
}

/** What throughSine made: dz_prev, its column partials, the dWs' parts it was asked for (null where it could not), and whether the companion ran. */
interface ThroughSine {
  dz: Tensor;
  dbPartial: Tensor;
  dwSlices: Tensor | null;
  firstPartial: Tensor | null;
  companionRan: boolean;
}

/** The first layer's inputs that its dW's sums in the epilogue take (a SIREN's 2 coordinates). */
const FIRST_INPUTS_MOST = 4;

/**
 * Whether the first layer's dW = dz₀ᵀ·x₀ is made by the epilogue of the product that makes dz₀,
 * as column sums of dz₀ weighted by each input, where x₀ has at most 4 columns: the pass of a
 * thin product (a column of points summed into 256×2 outputs) fewer. GPU tuning only: on
 * SwiftShader, where a pass costs little, the 16×16 block's epilogue with three sums a column
 * took 0.4–0.7 s more to compile and ran a 4×64 SIREN's step on 1,024 points in 44–46 ms
 * against 38–39. `force` makes the choice on any tuning (tests).
 */
export const firstLayerSums: { enabled: boolean; force: boolean | null } = { enabled: true, force: null };

/**
 * Whether throughSine can make layer l's dW from dz [M, K] and x [M, N] beside its product: the
 * vec4 cores (both products' rows of whole vec4s) and the adapter's bindings (its grid: throughSine).
 */
function weightGradientFits(M: number, N: number, K: number): boolean {
  if (!(weightGradientBeside.force ?? (weightGradientBeside.enabled && runtime().tuning === 'gpu'))) return false;
  // the other roles join where their bindings fit too
  return M > 0 && usesVec4Core(M, N, K, false) && usesVec4Core(K, N, M, true) && bindingsFit({ companion: false, weightGradient: true, firstInputs: 0 });
}

const takesFirstLayerSums = (): boolean => firstLayerSums.force ?? (firstLayerSums.enabled && runtime().tuning === 'gpu');

/**
 * From dz [M, K] at layer l's pre-activation, through its weight W [K, N] and the previous
 * layer's sine: dz_prev = (dz·W)·ω·cos(ω·z_prev), and the column sums of each tile's rows of
 * dz_prev, [tile rows, N], whose sum is db_prev. Beside it (see Beside), where the adapter has the
 * bindings:
 * - the companion's sums, ready before this dispatch, in rows of workgroups before the product's
 *   tiles, where the kernel has 256 invocations;
 * - layer l's dW = dzᵀ·x in K slices, [slices, K, N], as matmulPartials would, in the rows after
 *   them (not where the grid has no rows for them);
 * - the first layer's dW as column sums [tile rows, N, inputs], whose sum is dW₀.
 * Returns what ran; what did not is the caller's to make.
 */
function throughSine(dz: Tensor, w: Tensor, zPrev: Tensor, omega: number, beside: Beside): ThroughSine {
  const [M, K] = dz.shape;
  const N = w.shape[1];
  const { companion, x, firstX } = beside;
  if (M === 0) return { dz: Tensor.empty([0, N], 'siren_mlp.dz'), dbPartial: zeros([1, N]), dwSlices: null, firstPartial: null, companionRan: false }; // a sum of no rows
  const rt = runtime();
  let roles: Roles = { companion: false, weightGradient: !!x, firstInputs: firstX?.shape[1] ?? 0 };
  if (!bindingsFit(roles)) roles = { ...roles, firstInputs: 0 };
  const planFor = (r: Roles) => matmulPlan(throughSineKernel(r), false, false, M, N, K, {
    epilogueBytesPerColumn: COLUMN_SUM_BYTES * (1 + r.firstInputs), fixedBytes: r.companion ? PAIR_SUMS_BYTES : 0,
    second: r.weightGradient ? WEIGHT_GRADIENT_CORE : undefined,
  });
  let plan = planFor(roles);
  // pair_sums.wgsl wants 256 invocations: where its tree's memory leaves a smaller tile, no companion
  if (companion && bindingsFit({ ...roles, companion: true })) {
    const withCompanion = planFor({ ...roles, companion: true });
    if (withCompanion.threads === 256) [plan, roles] = [withCompanion, { ...roles, companion: true }];
  }
  const ran = roles.companion ? companion : null;
  const [tilesX, tilesY] = plan.tiles;
  const companionRows = ran ? Math.ceil(ran.groups / tilesX) : 0; // its groups first
  // layer l's dW: a [K, N] output over M points, in the product's tiles, split as matmul's would be
  const dwTileRows = Math.ceil(K / plan.tile[1]);
  const split = x ? splitK(tilesX * dwTileRows * plan.threads, M, true) : { kSlice: 0, slices: 0 };
  const dwRows = split.slices * dwTileRows;
  // the weight gradient's rows past the grid's limit: the caller makes dW in a pass of its own
  if (dwRows && companionRows + dwRows + tilesY > rt.limits.maxComputeWorkgroupsPerDimension) return throughSine(dz, w, zPrev, omega, { ...beside, x: null });
  const dzPrev = Tensor.empty([M, N], 'siren_mlp.dz');
  const partial = Tensor.empty([tilesY, N], 'siren_mlp.db_partial'); // a row per tile row
  const dwSlices = x && Tensor.empty([split.slices, K, N], split.slices > 1 ? 'matmul.split_k' : 'matmul');
  const firstPartial = roles.firstInputs ? Tensor.empty([tilesY, N, roles.firstInputs], 'siren_mlp.first_dw_partial') : null;
  const params = new Params().u32(M).u32(N).u32(K).f32(omega).u32(companionRows).u32(dwRows).u32(split.kSlice);
  for (const field of ran?.fields ?? PAIR_FIELDS_UNUSED) params.u32(field);
  rt.dispatch(plan.kernel, {
    inputs: [dz, w, zPrev, ...(x ? [x] : []), ...(firstPartial && firstX ? [firstX] : []), ...(ran?.inputs ?? [])],
    outputs: [dzPrev, partial, ...(dwSlices ? [dwSlices] : []), ...(firstPartial ? [firstPartial] : []), ...(ran?.outputs ?? [])],
    params, workgroups: [tilesX, companionRows + dwRows + tilesY],
  });
  return { dz: dzPrev, dbPartial: partial, dwSlices, firstPartial, companionRan: !!ran };
}

/** sin(ω·(x·W₀ᵀ + b₀)), then each layer's sine likewise, and the last layer linear. */
export function sirenMlp(x: Tensor, layers: readonly MlpLayer[], omega: number): Tensor {
  if (layers.length === 0) throw new Error('sirenMlp: no layers');
  const last = layers.length - 1;
  const params = layers.flatMap((l) => [l.weight, l.bias]);
  const keepZ = isGradEnabled() && [x, ...params].some((t) => t.requiresGrad);
  const inputs: Tensor[] = []; // each layer's input: the backward's dW = dzᵀ·input
  const zs: (Tensor | null)[] = [];
  const wCopies = forwardWeightCopies(x.shape[0], layers.map((layer) => layer.weight));
  let h = x;
  layers.forEach((layer, l) => {
    inputs.push(h);
    const { y, z } = layerForward(h, layer.weight, layer.bias, l < last ? omega : null, keepZ, wCopies[l]);
    zs.push(z);
    h = y;
  });
  for (const copy of wCopies) copy?.dispose();
  return record(h, 'sirenMlp', [x, ...params], (g) => {
    const grads: (Tensor | null)[] = [x, ...params].map(() => null);
    /** layer l's dW and db: the sums its companion made where it ran, else a pass of their own */
    const finish = (l: number, parts: GradientParts, companion: PairSums | null, companionRan: boolean): void => {
      if (companion && companionRan) [grads[1 + 2 * l], grads[2 + 2 * l]] = companion.sums;
      else {
        companion?.sums.forEach((t) => t.dispose());
        [grads[1 + 2 * l], grads[2 + 2 * l]] = finishGradients(parts);
      }
    };
    /** a layer's last sums, to run beside the next product (null: in a pass of their own) */
    const companionOf = (parts: GradientParts): PairSums | null => {
      const paired = companionSums.enabled ? pairedGradientParts(parts) : null;
      return paired && pairSums(...paired);
    };
    let dz = g; // the gradient at layer l's pre-activation (the last layer is linear: at its output)
    let dbPartial: Tensor | null = null; // partial column sums of dz, when the fused kernel made them
    // a layer whose dW was made beside its product through the sine: its sums wait for the next
    let waiting: { layer: number; parts: GradientParts } | null = null;
    let firstPartial: Tensor | null = null; // the first layer's dW parts, when the last product's epilogue made them
    for (let l = last; l >= 0; l--) {
      const { weight, bias } = layers[l];
      const z = l > 0 ? zs[l - 1] : null;
      if (l > 0 && !z) throw new Error('sirenMlp: z was not kept');
      // the product that makes the first layer's dz can also make its dW's first sums
      const firstX = l === 1 && takesFirstLayerSums() && layers[0].weight.requiresGrad && inputs[0].shape[1] <= FIRST_INPUTS_MOST ? inputs[0] : null;
      if (z && weight.requiresGrad && weightGradientFits(dz.shape[0], weight.shape[1], weight.shape[0])) {
        const companion = waiting && companionOf(waiting.parts);
        const made = throughSine(dz, weight, z, omega, { companion, x: inputs[l], firstX });
        if (waiting) finish(waiting.layer, waiting.parts, companion, made.companionRan);
        const dwSlices = made.dwSlices ?? matmulPartials(dz, inputs[l], { transA: true });
        waiting = { layer: l, parts: { dx: null, dwSlices, dbRows: bias.requiresGrad ? dbPartial ?? dz : null } };
        ({ dz, dbPartial, firstPartial } = made);
        continue;
      }
      if (waiting) finish(waiting.layer, waiting.parts, null, false);
      waiting = null;
      // a layer's input past the first is this op's own, recorded by no one: no dx is made for it
      const parts = gradientParts(dz, inputs[l], weight, bias, dbPartial, firstPartial);
      if (!z) { // the first layer
        grads[0] = parts.dx;
        finish(0, parts, null, false);
        break;
      }
      // this layer's last sums beside the next product, or in a pass of their own
      const companion = companionOf(parts);
      let companionRan: boolean;
      ({ dz, dbPartial, firstPartial, companionRan } = throughSine(dz, weight, z, omega, { companion, x: null, firstX }));
      finish(l, parts, companion, companionRan);
    }
    return grads;
  });
}

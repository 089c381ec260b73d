/**
 * The product through the sine of a SIREN's backward (shaders/siren_mlp_backward.wgsl), for
 * src/ops/siren_mlp.ts: from layer l's dz, dz_prev = (dz·W)·ω·cos(ω·z_prev) and db_prev's
 * first sums, and beside it, in the same dispatch, what its caller asks for and the adapter's
 * bindings allow: a companion's sums, layer l's dW (a product in rows of its own,
 * shaders/siren_mlp_weight_gradient.wgsl, or sums in the epilogue for a layer of ≤ 3 outputs), the
 * first layer's dW in the epilogue. Each is a role of the kernel: its bindings, its snippets.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor } from '../tensor/tensor.ts';
import { splitK } from './matmul.ts';
import { matmulPlan, usesVec4Core, type SecondCore } from './matmul_kernel.ts';
import { pairBuffers, pairDeclarations, PAIR_FIELDS_UNUSED, PAIR_FIELDS_WGSL, type PairSums } from './reduce.ts';

/** workgroup memory of the kernel's column sums: a float per invocation and column of its block */
const COLUMN_SUM_BYTES = 4;
/** workgroup memory of pair_sums.wgsl's tree: a float per invocation of 256 */
const PAIR_SUMS_BYTES = 256 * 4;

/**
 * What the kernel runs beside its product: a companion's sums, layer l's weight gradient as a
 * product, the first layer's weight gradient in its epilogue (that layer's inputs; 0: not), layer
 * l's own weight gradient in its epilogue (its outputs; 0: not).
 */
export interface Roles {
  companion: boolean;
  weightGradient: boolean;
  firstInputs: number;
  ownOutputs: number;
}

/** The storage buffers the kernel binds with `roles`, in binding order: its reads, then its writes. */
function bufferNames({ companion, weightGradient, firstInputs, ownOutputs }: Roles): { reads: string[]; writes: string[] } {
  const when = (on: unknown, names: string[]) => (on ? names : []);
  // one layer's pair of sums: two pairs would take 13 bindings, more than SwiftShader's 12 (untested)
  const pair = pairBuffers(1);
  return {
    reads: ['A', 'B', 'Z', ...when(weightGradient, ['X']), ...when(firstInputs, ['X0']), ...when(ownOutputs, ['OWN_X']), ...when(companion, pair.reads)],
    writes: ['DZ', 'PARTIAL', ...when(weightGradient, ['DW']), ...when(firstInputs, ['FIRST_PARTIAL']), ...when(ownOutputs, ['OWN_PARTIAL']), ...when(companion, pair.writes)],
  };
}

/** Whether the adapter has the storage bindings of a kernel with `roles`. */
export const bindingsFit = (roles: Roles): boolean => {
  const { reads, writes } = bufferNames(roles);
  return reads.length + writes.length <= runtime().limits.maxStorageBuffersPerShaderStage;
};

const kernels = new Map<string, Kernel>();

/** The kernel (shaders/siren_mlp_backward.wgsl) with the roles' bindings and calls. */
function throughSineKernel(roles: Roles): Kernel {
  const name = `siren_mlp_backward${roles.companion ? '.companion' : ''}${roles.weightGradient ? '.dw' : ''}${roles.firstInputs ? `.first${roles.firstInputs}` : ''}${roles.ownOutputs ? `.own${roles.ownOutputs}` : ''}`;
  let kernel = kernels.get(name);
  if (kernel) return kernel;
  const { reads, writes } = bufferNames(roles);
  const at = (buffer: string) => String([...reads, ...writes].indexOf(buffer));
  const declare = (buffer: string, access: 'read' | 'read_write') => `@group(0) @binding(${at(buffer)}) var<storage, ${access}> ${buffer}: array<f32>;`;
  // an epilogue role's two buffers, or private stubs that its empty loops never touch
  const epilogueBuffers = (on: number, read: string, write: string) => (on
    ? [declare(read, 'read'), declare(write, 'read_write')]
    : [`var<private> ${read}: array<f32, 1>;`, `var<private> ${write}: array<f32, 1>;`]).join('\n');
  kernel = {
    name, file: 'siren_mlp_backward.wgsl', inputs: reads.length, outputs: writes.length, uniform: true,
    snippets: {
      DZ_BINDING: at('DZ'), PARTIAL_BINDING: at('PARTIAL'), PARAMS_BINDING: String(reads.length + writes.length),
      PAIR_FIELDS: PAIR_FIELDS_WGSL,
      PAIRS: '1',
      // a pair of sums, and pair_sums.wgsl, which sums them
      COMPANION_DECLARATIONS: roles.companion ? `${pairDeclarations(1, declare)}\n#include "pair_sums.wgsl"` : '', // companion_rows = 0
      COMPANION_CALL: roles.companion ? '    pair_sums(grid_id.y * nwg.x + grid_id.x, index);' : '',
      DW_DECLARATIONS: roles.weightGradient
        ? ['@group(0) @binding(' + at('X') + ') var<storage, read> X: array<vec4<f32>>;', declare('DW', 'read_write'), '#include "siren_mlp_weight_gradient.wgsl"'].join('\n')
        : '', // dw_rows = 0
      DW_CALL: roles.weightGradient ? '    weight_gradient(grid_id.x, grid_id.y - params.companion_rows, lid);' : '',
      FIRST_IN: String(roles.firstInputs),
      FIRST_DECLARATIONS: epilogueBuffers(roles.firstInputs, 'X0', 'FIRST_PARTIAL'),
      OWN_OUT: String(roles.ownOutputs),
      OWN_DECLARATIONS: epilogueBuffers(roles.ownOutputs, 'OWN_X', 'OWN_PARTIAL'),
    },
  };
  kernels.set(name, kernel);
  return kernel;
}

/** Layer l's outputs that its own dW's sums in the epilogue take (the scalar core's: a SIREN's last layer has 1). */
const OWN_OUTPUTS_MOST = 3;

/**
 * How throughSine would make layer l's dW from dz [M, K] and x [M, N] beside its product: as a
 * product in rows of its own where both products' rows are whole vec4s, as sums in the epilogue
 * where layer l has at most 3 outputs; null where neither applies or the adapter lacks the bindings.
 */
export function layerGradientRole(M: number, N: number, K: number): Roles | null {
  const none: Roles = { companion: false, weightGradient: false, firstInputs: 0, ownOutputs: 0 };
  let roles: Roles | null = null;
  if (usesVec4Core(M, N, K, false) && usesVec4Core(K, N, M, true)) roles = { ...none, weightGradient: true };
  else if (K <= OWN_OUTPUTS_MOST) roles = { ...none, ownOutputs: K };
  return M > 0 && roles && bindingsFit(roles) ? roles : null;
}

/** The weight gradient's core: dzᵀ·x, reading dz as the product's A and x as X (siren_mlp_weight_gradient.wgsl). */
const WEIGHT_GRADIENT_CORE: SecondCore = { snippet: 'DW_CORE', transA: true, transB: false, names: { fn: 'matmul_block_dw', a: 'A', b: 'X', dims: 'dw_dims()' } };

/**
 * What the kernel may run beside its product (throughSine): `companion`, a layer's last sums;
 * `x`, layer l's input, for its dW (see layerGradientRole); `firstX`, the first layer's input
 * [M, ≤ 4], when dz_prev is that layer's dz, for its dW's first sums (see firstLayerSums).
 */
export interface Beside {
  companion: PairSums | null;
  x: Tensor | null;
  firstX: Tensor | null;
}

/**
 * What throughSine made: dz_prev, its column partials, the dWs' parts it was asked for (null
 * where it could not; layer l's as K slices [slices, K, N] or as tile rows' sums [tile rows, K, N]),
 * and whether the companion ran.
 */
export interface ThroughSine {
  dz: Tensor;
  dbPartial: Tensor;
  dwSlices: Tensor | null;
  firstPartial: Tensor | null;
  companionRan: boolean;
}

/**
 * From dz [M, K] at layer l's pre-activation, through its weight W [K, N] and the previous
 * layer's sine: dz_prev = (dz·W)·ω·cos(ω·z_prev), and the column sums of each tile's rows of
 * dz_prev, [tile rows, N], whose sum is db_prev. Beside it (see Beside), where the adapter has the
 * bindings:
 * - the companion's sums, ready before this dispatch, in rows of workgroups before the product's
 *   tiles, where the kernel has 256 invocations;
 * - layer l's dW = dzᵀ·x (see layerGradientRole): in K slices, [slices, K, N], as matmulPartials
 *   would, in the rows after them (not where the grid has no rows for them), or as the column sums
 *   of x weighted by dz, [tile rows, K, N];
 * - the first layer's dW as column sums [tile rows, N, inputs], whose sum is dW₀.
 * Returns what ran; what did not is the caller's to make.
 */
export function throughSine(dz: Tensor, w: Tensor, zPrev: Tensor, omega: number, beside: Beside): ThroughSine {
  const [M, K] = dz.shape;
  const N = w.shape[1];
  const { companion, x, firstX } = beside;
  if (M === 0) return { dz: Tensor.empty([0, N], 'siren_mlp.dz'), dbPartial: zeros([1, N]), dwSlices: null, firstPartial: null, companionRan: false }; // a sum of no rows
  const rt = runtime();
  const layerRole = x ? layerGradientRole(M, N, K) : null;
  let roles: Roles = { ...(layerRole ?? { weightGradient: false, ownOutputs: 0 }), companion: false, firstInputs: firstX?.shape[1] ?? 0 };
  if (!bindingsFit(roles)) roles = { ...roles, firstInputs: 0 };
  const planFor = (r: Roles) => matmulPlan(throughSineKernel(r), false, false, M, N, K, {
    epilogueBytesPerColumn: COLUMN_SUM_BYTES * (1 + r.firstInputs + r.ownOutputs), fixedBytes: r.companion ? PAIR_SUMS_BYTES : 0,
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
  const split = roles.weightGradient ? splitK(tilesX * dwTileRows * plan.threads, M, true) : { kSlice: 0, slices: 0 };
  const dwRows = split.slices * dwTileRows;
  // the weight gradient's rows past the grid's limit: the caller makes dW in a pass of its own
  if (dwRows && companionRows + dwRows + tilesY > rt.limits.maxComputeWorkgroupsPerDimension) return throughSine(dz, w, zPrev, omega, { ...beside, x: null });
  const dzPrev = Tensor.empty([M, N], 'siren_mlp.dz');
  const partial = Tensor.empty([tilesY, N], 'siren_mlp.db_partial'); // a row per tile row
  const dwSlices = roles.weightGradient ? Tensor.empty([split.slices, K, N], split.slices > 1 ? 'matmul.split_k' : 'matmul')
    : roles.ownOutputs ? Tensor.empty([tilesY, K, N], 'siren_mlp.own_dw_partial') : null;
  const firstPartial = roles.firstInputs ? Tensor.empty([tilesY, N, roles.firstInputs], 'siren_mlp.first_dw_partial') : null;
  const params = new Params().u32(M).u32(N).u32(K).f32(omega).u32(companionRows).u32(dwRows).u32(split.kSlice);
  for (const field of ran?.fields ?? PAIR_FIELDS_UNUSED) params.u32(field);
  // each binding's tensor, bound in bufferNames' order
  const tensors: Record<string, Tensor | null | undefined> = {
    A: dz, B: w, Z: zPrev, X: x, X0: firstX, OWN_X: x, PAIR_A: ran?.inputs[0], PAIR_B: ran?.inputs[1],
    DZ: dzPrev, PARTIAL: partial, DW: dwSlices, FIRST_PARTIAL: firstPartial, OWN_PARTIAL: dwSlices, PAIR_SA: ran?.outputs[0], PAIR_SB: ran?.outputs[1],
  };
  const bound = (names: string[]): Tensor[] => names.map((name) => {
    const t = tensors[name];
    if (!t) throw new Error(`throughSine: no tensor for ${name}`);
    return t;
  });
  const { reads, writes } = bufferNames(roles);
  rt.dispatch(plan.kernel, { inputs: bound(reads), outputs: bound(writes), params, workgroups: [tilesX, companionRows + dwRows + tilesY] });
  return { dz: dzPrev, dbPartial: partial, dwSlices, firstPartial, companionRan: !!ran };
}

/**
 * The SIREN layer, fused: y = sin(ω·(x·Wᵀ + b)) in one kernel (shaders/sine_linear.wgsl) that
 * also keeps z = x·Wᵀ + b for the backward; `linear` is the same kernel without the sine. On GPUs
 * a layer of ≤ 4 inputs or ≤ 4 outputs (a SIREN's first and last) has a kernel of its own
 * (sine_linear_short.wgsl, sine_linear_narrow.wgsl; see forwardForm).
 * Backward: dz = dy·ω·cos(ω·z) in one pass that also sums dz over runs of rows, the first level of
 * db = Σ_rows dz (shaders/sine_linear_backward.wgsl); dx = dz·W, dW = dzᵀ·x (matmuls with transpose
 * flags).
 * A whole SIREN is one op, src/ops/siren_mlp.ts, whose backward fuses each dz pass into the
 * product before it.
 * Shapes: x [M, in], W [out, in] (PyTorch layout), b [out] → y [M, out].
 * Float64 reference: src/reference/sine_linear.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, noGrad, runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { mapUnaryBackward } from './elementwise.ts';
import { matmul, matmulPartials } from './matmul.ts';
import { copiesBTransposed, matmulPlan } from './matmul_kernel.ts';
import { sumLeading, sumLeadingPair } from './reduce.ts';
import { transposeEach } from './shape.ts';
import { UNARY_RULES } from './unary.ts';

/**
 * The forward kernels: the matmul cores' (sine_linear.wgsl), and two for shapes those serve badly
 * on GPUs, each in three variants: the sine layer keeping z, the same for inference, the linear.
 */
type Form = 'core' | 'narrow' | 'short';
const FILES: Record<Form, string> = { core: 'sine_linear.wgsl', narrow: 'sine_linear_narrow.wgsl', short: 'sine_linear_short.wgsl' };
const variant = (form: Form, linear: boolean, storeZ: boolean): Kernel => ({
  name: `${linear ? 'linear' : storeZ ? 'sine_linear' : 'sine_linear.inference'}${form === 'core' ? '' : `.${form}`}`, file: FILES[form],
  constants: { LINEAR: Number(linear), STORE_Z: Number(storeZ) }, inputs: 3, outputs: 2, uniform: true,
});
const FORWARD = Object.fromEntries((['core', 'narrow', 'short'] as const).map((form) => [form, {
  sine: variant(form, false, true), inference: variant(form, false, false), linear: variant(form, true, false),
}])) as Record<Form, { sine: Kernel; inference: Kernel; linear: Kernel }>;

/** rows a narrow-layer workgroup covers (ROWS in shaders/sine_linear_narrow.wgsl) */
const NARROW_ROWS = 8;
/** Forces the narrow or short kernel's choice regardless of tuning (tests check them on SwiftShader). */
export const narrowLayer: { force: boolean | null } = { force: null };
export const shortLayer: { force: boolean | null } = { force: null };

/**
 * The forward kernel for x [M, K]·Wᵀ with W [N, K], on GPUs ('gpu' tuning):
 * - short (shaders/sine_linear_short.wgsl) for at most 4 inputs and a multiple of 4 outputs (a
 *   SIREN's first layer): a thread per 4 outputs and vec4 stores, where the cores' 4×4 blocks
 *   store scalars 16 bytes apart and such a layer is its stores;
 * - narrow (shaders/sine_linear_narrow.wgsl) for at most 4 outputs and K a multiple of 4 (a
 *   SIREN's last layer): 32 threads a row and a workgroup tree, where a core's thread walks 4
 *   rows 4 KiB apart.
 * With 'cpu' tuning (SwiftShader) always the cores: barriers are expensive there, its threads walk
 * rows well, and it is not store-bound.
 */
export function forwardForm(N: number, K: number): Form {
  const gpu = runtime().tuning === 'gpu';
  if (K <= 4 && N % 4 === 0 && (shortLayer.force ?? gpu)) return 'short';
  if (N <= 4 && K % 4 === 0 && K > 0 && (narrowLayer.force ?? gpu)) return 'narrow';
  return 'core';
}

const SINE_BACKWARD: Kernel = { name: 'sine_linear_backward', file: 'sine_linear_backward.wgsl', inputs: 2, outputs: 2, uniform: true };

/**
 * Rows per partial bias sum: long runs on SwiftShader (a workgroup is a CPU thread's loop), 16 on
 * GPUs, where a thread's loop runs at the latency of its loads. A thread covers 4 columns there,
 * so 16 rows keep twice the threads of the engine's own first level (32 rows of one column), and
 * the partials still take two levels of the engine's sum up to 128² points.
 */
const rowsPerPartial = (): number => (runtime().tuning === 'cpu' ? 256 : 16);

/**
 * dz = g·ω·cos(ω·z), and when `withBias` the first level of db = Σ_rows dz in the same pass: the
 * sums of runs of rows, [runs, N] (in vec4s: widths that are not a multiple of 4 take the
 * element-wise pass, and db is summed from dz).
 */
function sineBackward(z: Tensor, g: Tensor, omega: number, withBias: boolean): { dz: Tensor; dbPartial: Tensor | null } {
  const [M, N] = z.shape;
  if (!withBias || N % 4 !== 0) return { dz: mapUnaryBackward('sinScaled', UNARY_RULES.sinScaled.backward, z, g, omega), dbPartial: null };
  if (M === 0) return { dz: Tensor.empty([0, N], 'sine_linear.dz'), dbPartial: zeros([1, N]) }; // a sum of no rows
  const rt = runtime();
  const rows = rowsPerPartial();
  const chunks = Math.ceil(M / rows);
  const dz = Tensor.empty([M, N], 'sine_linear.dz');
  const partial = Tensor.empty([chunks, N], 'sine_linear.db_partial');
  if (partial.size) {
    rt.dispatch(SINE_BACKWARD, {
      inputs: [z, g], outputs: [dz, partial], params: new Params().u32(M).u32(N / 4).u32(rows).f32(omega),
      workgroups: rt.grid1d(chunks * (N / 4), 256),
    });
  }
  return { dz, dbPartial: partial };
}

/** Whether x [M, in], W [out, in] and b [out] fit a layer. */
export function layerShapesFit(x: Tensor, w: Tensor, b: Tensor): boolean {
  return x.rank === 2 && w.rank === 2 && b.rank === 1 && x.shape[1] === w.shape[1] && b.shape[0] === w.shape[0];
}

function checkShapes(x: Tensor, w: Tensor, b: Tensor): void {
  if (!layerShapesFit(x, w, b)) {
    throw new Error(`linear: x ${shapeString(x.shape)}, W ${shapeString(w.shape)}, b ${shapeString(b.shape)} do not fit (x [M, in], W [out, in], b [out])`);
  }
}

/** Whether layerForward on M rows reads W [out, in] from a copy transposed to [in, out] (see forwardWeightCopies). */
export function copiedForForward(M: number, w: Tensor): boolean {
  return w.rank === 2 && forwardForm(w.shape[0], w.shape[1]) === 'core' && copiesBTransposed(M, w.shape[0], w.shape[1], false);
}

/**
 * The copies of W as [in, out] that layerForward reads with the plain core (see
 * copiesBTransposed), for each of a chain of layers on M rows (null where it reads W as stored),
 * all in one pass (transposeEach): a SIREN's three hidden layers, one dispatch instead of three.
 * layerForward makes its own copy here too, so the choice lives in one place.
 */
export function forwardWeightCopies(M: number, weights: readonly Tensor[]): (Tensor | null)[] {
  const copied = weights.map((w) => copiedForForward(M, w));
  const copies = noGrad(() => transposeEach(weights.filter((_, i) => copied[i])));
  let next = 0;
  return copied.map((c) => (c ? copies[next++] : null));
}

/**
 * The layer's forward without autograd: y, and z = x·Wᵀ + b when `keepZ` (a sine layer's
 * backward needs it). Also the forward of each layer of src/ops/siren_mlp.ts, which passes
 * `wCopy`, this layer's of forwardWeightCopies (undefined: the layer makes its own).
 */
export function layerForward(
  x: Tensor, w: Tensor, b: Tensor, omega: number | null, keepZ: boolean, wCopy?: Tensor | null,
): { y: Tensor; z: Tensor | null } {
  checkShapes(x, w, b);
  const rt = runtime();
  const [M, K] = x.shape;
  const N = w.shape[0];
  const y = Tensor.empty([M, N], omega === null ? 'linear' : 'sine_linear');
  const z = omega !== null && keepZ ? Tensor.empty([M, N], 'sine_linear.z') : null;
  if (y.size) {
    const form = forwardForm(N, K);
    const kernels = FORWARD[form];
    const kernel = omega === null ? kernels.linear : z ? kernels.sine : kernels.inference;
    const outputs = [y, z ?? rt.unusedOutput];
    if (form === 'short') {
      const params = new Params().u32(M).u32(N / 4).u32(K).f32(omega ?? 0);
      rt.dispatch(kernel, { inputs: [x, w, b], outputs, params, workgroups: rt.grid1d(M * (N / 4), 256) });
    } else if (form === 'narrow') {
      const params = new Params().u32(M).u32(N).u32(K / 4).f32(omega ?? 0);
      rt.dispatch(kernel, { inputs: [x, w, b], outputs, params, workgroups: rt.grid1d(M, NARROW_ROWS) });
    } else {
      // W as stored ([out, in]: the Bᵀ core), or copied to [in, out] for the plain core
      const copy = wCopy === undefined ? forwardWeightCopies(M, [w])[0] : wCopy;
      const plan = matmulPlan(kernel, false, !copy, M, N, K);
      const params = new Params().u32(M).u32(N).u32(K).f32(omega ?? 0);
      rt.dispatch(plan.kernel, { inputs: [x, copy ?? w, b], outputs, params, workgroups: plan.tiles });
      if (wCopy === undefined) copy?.dispose();
    }
  }
  return { y, z };
}

/**
 * Whether a layer's dW and db sums share one pass (see layerGradients); off for an A/B of two
 * passes. Shared, the SIREN step ran 5–7% faster at 64² and as fast at 128² (H100 and H200,
 * bench/RESULTS.md, session 12).
 */
export const pairedGradientSums = { enabled: true };

/**
 * A layer's gradients from dz, the gradient at its pre-activation z = x·Wᵀ + b, before their last
 * sums (null where not required): dx, dW = dzᵀ·x as K slices [slices, out, in] (split on GPUs: a
 * 256×256 output over 4,096 points), and db's rows [rows, out], whose sum is db: `dbPartial`,
 * column sums of runs of dz's rows when the pass that made dz summed them already, else dz.
 * `dwMade`: dW's parts when a pass made them already (src/ops/siren_mlp.ts, beside its products).
 */
export interface GradientParts {
  dx: Tensor | null;
  dwSlices: Tensor | null;
  dbRows: Tensor | null;
}

export function gradientParts(dz: Tensor, x: Tensor, w: Tensor, b: Tensor, dbPartial: Tensor | null, dwMade: Tensor | null = null): GradientParts {
  return {
    dx: x.requiresGrad ? matmul(dz, w) : null, // [M, out]·[out, in]
    // the tidy around a backward rule frees the partial tensors; a view keeps its buffer
    dwSlices: w.requiresGrad ? dwMade ?? matmulPartials(dz, x, { transA: true }) : null, // [out, M]·[M, in] in parts
    dbRows: b.requiresGrad ? dbPartial ?? dz : null,
  };
}

/**
 * The dW slices and db rows of a layer when they are summed in one pass (pairSums; see
 * finishGradients), and so also beside the next product (src/ops/siren_mlp.ts); else null.
 */
export function pairedGradientParts({ dwSlices, dbRows }: GradientParts): [Tensor, Tensor] | null {
  return pairedGradientSums.enabled && dwSlices && dbRows && dwSlices.shape[0] > 1 ? [dwSlices, dbRows] : null;
}

/**
 * The sums that finish a layer's gradients: [dW, db] (null where not required). dW split into K
 * slices and db's rows each end in a sum: one pass for both (sumLeadingPair), one to three
 * dispatches of ~3.5 µs fewer per layer in a SIREN step.
 */
export function finishGradients(parts: GradientParts): [Tensor | null, Tensor | null] {
  const paired = pairedGradientParts(parts);
  if (paired) return sumLeadingPair(...paired);
  return [parts.dwSlices && sumLeading(parts.dwSlices), parts.dbRows && sumLeading(parts.dbRows)];
}

/**
 * The gradients of a layer's x, W and b (null where not required) from dz (see gradientParts).
 * Also the rule of each layer of src/ops/siren_mlp.ts, which may run the last sums beside its
 * next product instead.
 */
export function layerGradients(dz: Tensor, x: Tensor, w: Tensor, b: Tensor, dbPartial: Tensor | null): (Tensor | null)[] {
  const parts = gradientParts(dz, x, w, b, dbPartial);
  return [parts.dx, ...finishGradients(parts)];
}

function fused(x: Tensor, w: Tensor, b: Tensor, omega: number | null): Tensor {
  const recording = isGradEnabled() && [x, w, b].some((t) => t.requiresGrad);
  const { y, z } = layerForward(x, w, b, omega, recording);
  return record(y, omega === null ? 'linear' : 'sineLinear', [x, w, b], (g) => {
    if (omega !== null && !z) throw new Error('sineLinear: z was not kept');
    const { dz, dbPartial } = z ? sineBackward(z, g, omega ?? 0, b.requiresGrad) : { dz: g, dbPartial: null };
    return layerGradients(dz, x, w, b, dbPartial);
  });
}

/** y = sin(ω·(x·Wᵀ + b)) */
export function sineLinear(x: Tensor, w: Tensor, b: Tensor, omega: number): Tensor {
  return fused(x, w, b, omega);
}

/** y = x·Wᵀ + b */
export function linear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return fused(x, w, b, null);
}

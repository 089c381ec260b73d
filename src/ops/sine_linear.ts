/**
 * The SIREN layer, fused: y = sin(ω·(x·Wᵀ + b)) in one kernel (shaders/sine_linear.wgsl) that
 * also keeps z = x·Wᵀ + b for the backward; `linear` is the same kernel without the sine.
 * Backward: dz = dy·ω·cos(ω·z) in one pass that also sums dz over runs of rows, the first level of
 * db = Σ_rows dz (shaders/sine_linear_backward.wgsl); dx = dz·W, dW = dzᵀ·x (matmuls with transpose
 * flags).
 * Shapes: x [M, in], W [out, in] (PyTorch layout), b [out] → y [M, out].
 * Float64 reference: src/reference/sine_linear.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { mapUnaryBackward } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { matmulPlan, transposedForPlainCore } from './matmul_kernel.ts';
import { sum } from './reduce.ts';
import { reshape } from './shape.ts';
import { UNARY_RULES } from './unary.ts';

const variant = (linear: boolean, storeZ: boolean) => ({
  name: linear ? 'linear' : storeZ ? 'sine_linear' : 'sine_linear.inference', file: 'sine_linear.wgsl',
  constants: { LINEAR: Number(linear), STORE_Z: Number(storeZ) }, inputs: 3, outputs: 2, uniform: true,
});
const SINE = variant(false, true);
const SINE_INFERENCE = variant(false, false);
const LINEAR = variant(true, false);
const NARROW = (linear: boolean, storeZ: boolean): Kernel => ({
  ...variant(linear, storeZ), name: `${variant(linear, storeZ).name}.narrow`, file: 'sine_linear_narrow.wgsl',
});
const NARROW_KERNELS = { sine: NARROW(false, true), inference: NARROW(false, false), linear: NARROW(true, false) };
const SHORT = (linear: boolean, storeZ: boolean): Kernel => ({
  ...variant(linear, storeZ), name: `${variant(linear, storeZ).name}.short`, file: 'sine_linear_short.wgsl',
});
const SHORT_KERNELS = { sine: SHORT(false, true), inference: SHORT(false, false), linear: SHORT(true, false) };
/** rows a narrow-layer workgroup covers (ROWS in shaders/sine_linear_narrow.wgsl) */
const NARROW_ROWS = 8;
/** Forces narrowLayer's answer regardless of tuning (tests check the narrow kernel on SwiftShader). */
export const narrowLayer: { force: boolean | null } = { force: null };

/**
 * Whether a layer a few outputs wide runs shaders/sine_linear_narrow.wgsl (32 threads a row and
 * a workgroup tree) rather than the matmul cores. Not with 'cpu' tuning: SwiftShader's barriers
 * are expensive, and its threads walk rows well.
 */
function usesNarrowKernel(N: number, K: number): boolean {
  if (N > 4 || K % 4 !== 0 || K === 0) return false;
  return narrowLayer.force ?? runtime().tuning === 'gpu';
}

/** Forces shortLayer's answer regardless of tuning (tests check the short kernel on SwiftShader). */
export const shortLayer: { force: boolean | null } = { force: null };

/**
 * Whether a layer of at most 4 inputs runs shaders/sine_linear_short.wgsl (a thread per 4
 * outputs, vec4 stores) rather than the matmul cores. GPUs only, like the narrow kernel: on
 * SwiftShader the scalar core is not store-bound.
 */
function usesShortKernel(N: number, K: number): boolean {
  if (K > 4 || N % 4 !== 0) return false;
  return shortLayer.force ?? runtime().tuning === 'gpu';
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
 * dz = g·ω·cos(ω·z), and db = Σ_rows dz when `withBias`, its first level in the same pass (in
 * vec4s: widths that are not a multiple of 4 take the element-wise pass, and db the engine's sum).
 */
function sineBackward(z: Tensor, g: Tensor, omega: number, withBias: boolean): { dz: Tensor; db: Tensor | null } {
  const [M, N] = z.shape;
  if (!withBias || N % 4 !== 0) return { dz: mapUnaryBackward('sinScaled', UNARY_RULES.sinScaled.backward, z, g, omega), db: null };
  if (M === 0) return { dz: Tensor.empty([0, N], 'sine_linear.dz'), db: zeros([N]) }; // a sum of no rows
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
  // the tidy around a backward rule frees `partial`; a view keeps its buffer
  return { dz, db: chunks === 1 ? reshape(partial, [N]) : sum(partial, { axes: 0 }) };
}

function checkShapes(x: Tensor, w: Tensor, b: Tensor): void {
  if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || x.shape[1] !== w.shape[1] || b.shape[0] !== w.shape[0]) {
    throw new Error(`linear: x ${shapeString(x.shape)}, W ${shapeString(w.shape)}, b ${shapeString(b.shape)} do not fit (x [M, in], W [out, in], b [out])`);
  }
}

function fused(x: Tensor, w: Tensor, b: Tensor, omega: number | null): Tensor {
  checkShapes(x, w, b);
  const rt = runtime();
  const [M, K] = x.shape;
  const N = w.shape[0];
  const y = Tensor.empty([M, N], omega === null ? 'linear' : 'sine_linear');
  const recording = isGradEnabled() && [x, w, b].some((t) => t.requiresGrad);
  const z = omega !== null && recording ? Tensor.empty([M, N], 'sine_linear.z') : null;
  const pick = <T>(kernels: { sine: T; inference: T; linear: T }) => (omega === null ? kernels.linear : z ? kernels.sine : kernels.inference);
  if (y.size && usesShortKernel(N, K)) {
    rt.dispatch(pick(SHORT_KERNELS), {
      inputs: [x, w, b], outputs: [y, z ?? rt.unusedOutput],
      params: new Params().u32(M).u32(N / 4).u32(K).f32(omega ?? 0), workgroups: rt.grid1d(M * (N / 4), 256),
    });
  } else if (y.size && usesNarrowKernel(N, K)) {
    rt.dispatch(pick(NARROW_KERNELS), {
      inputs: [x, w, b], outputs: [y, z ?? rt.unusedOutput],
      params: new Params().u32(M).u32(N).u32(K / 4).f32(omega ?? 0), workgroups: rt.grid1d(M, NARROW_ROWS),
    });
  } else if (y.size) {
    // W as stored ([out, in]: the Bᵀ core), or copied to [in, out] for the plain core
    const wCopy = transposedForPlainCore(w, M, N, K, false);
    const plan = matmulPlan(omega === null ? LINEAR : z ? SINE : SINE_INFERENCE, false, !wCopy, M, N, K);
    rt.dispatch(plan.kernel, {
      inputs: [x, wCopy ?? w, b], outputs: [y, z ?? rt.unusedOutput],
      params: new Params().u32(M).u32(N).u32(K).f32(omega ?? 0), workgroups: plan.tiles,
    });
    wCopy?.dispose();
  }
  return record(y, omega === null ? 'linear' : 'sineLinear', [x, w, b], (g) => {
    if (omega !== null && !z) throw new Error('sineLinear: z was not kept');
    const { dz, db } = z ? sineBackward(z, g, omega ?? 0, b.requiresGrad) : { dz: g, db: null };
    return [
      x.requiresGrad ? matmul(dz, w) : null, // [M, out]·[out, in]
      w.requiresGrad ? matmul(dz, x, { transA: true }) : null, // [out, M]·[M, in]
      b.requiresGrad ? (db ?? sum(dz, { axes: 0 })) : null,
    ];
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

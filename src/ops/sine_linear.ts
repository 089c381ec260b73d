/**
 * The SIREN layer, fused: y = sin(ω·(x·Wᵀ + b)) in one kernel (shaders/sine_linear.wgsl) that
 * also keeps z = x·Wᵀ + b for the backward; `linear` is the same kernel without the sine.
 * Backward: dz = dy·ω·cos(ω·z) (one element-wise pass), dx = dz·W, dW = dzᵀ·x (matmuls with
 * transpose flags, no copies), db = Σ_rows dz.
 * Shapes: x [M, in], W [out, in] (PyTorch layout), b [out] → y [M, out].
 * Float64 reference: src/reference/sine_linear.ts.
 */
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { mapUnaryBackward } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { matmulPlan, transposedForPlainCore } from './matmul_kernel.ts';
import { sum } from './reduce.ts';
import { UNARY_RULES } from './unary.ts';

const variant = (linear: boolean, storeZ: boolean) => ({
  name: linear ? 'linear' : storeZ ? 'sine_linear' : 'sine_linear.inference', file: 'sine_linear.wgsl',
  constants: { LINEAR: Number(linear), STORE_Z: Number(storeZ) }, inputs: 3, outputs: 2, uniform: true,
});
const SINE = variant(false, true);
const SINE_INFERENCE = variant(false, false);
const LINEAR = variant(true, false);

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
  if (y.size) {
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
    const dz = z ? mapUnaryBackward('sinScaled', UNARY_RULES.sinScaled.backward, z, g, omega ?? 0) : g;
    return [
      x.requiresGrad ? matmul(dz, w) : null, // [M, out]·[out, in]
      w.requiresGrad ? matmul(dz, x, { transA: true }) : null, // [out, M]·[M, in]
      b.requiresGrad ? sum(dz, { axes: 0 }) : null,
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

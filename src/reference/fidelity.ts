/**
 * The fidelity loss of image fusion, composed from the reference sobel, mse and l1 in float64:
 *   L = Σ_k a_k·mean((F − T_k)²) + Σ_j b_j·mean((∇F − G_j)²) + λ·mean(|∇F|)
 * with F [H, W], intensity targets T_k [H, W], gradient targets G_j [2, H, W] and ∇ the Sobel
 * operator of `sobel` (border, normalise). Inputs are [F, T_1 … T_k, G_1 … G_m]; the weights a
 * and b say how many of each there are. Backward gives every input its gradient, targets too,
 * so that central differences check all of it (the GPU op treats targets as constants).
 */
import { l1, mse } from './loss.ts';
import { sobel, type SobelParams } from './sobel.ts';
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs } from './tensor.ts';

export interface FidelityParams {
  /** a_k, one per intensity target */
  intensity: number[];
  /** b_j, one per gradient target */
  gradient: number[];
  /** λ, the weight of mean(|∇F|) */
  sparsity: number;
  sobel: SobelParams;
}

function split(inputs: CpuTensor[], p: FidelityParams): { f: CpuTensor; t: CpuTensor[]; g: CpuTensor[] } {
  expectInputs('fidelity', inputs, 1 + p.intensity.length + p.gradient.length);
  const [f, ...targets] = inputs;
  return { f, t: targets.slice(0, p.intensity.length), g: targets.slice(p.intensity.length) };
}

const scaled = (t: CpuTensor, s: number): CpuTensor => ({ shape: [...t.shape], data: t.data.map((v) => v * s) });

function addInto(acc: Float64Array, t: CpuTensor): void {
  for (let i = 0; i < acc.length; i++) acc[i] += t.data[i];
}

export const fidelity: RefOp<FidelityParams> = {
  name: 'fidelity',
  forward(inputs, p) {
    const { f, t, g } = split(inputs, p);
    const grad = sobel.forward([f], p.sobel);
    let loss = p.sparsity * l1.forward([grad, scaled(grad, 0)]).data[0];
    t.forEach((target, k) => (loss += p.intensity[k] * mse.forward([f, target]).data[0]));
    g.forEach((target, j) => (loss += p.gradient[j] * mse.forward([grad, target]).data[0]));
    return { shape: [], data: Float64Array.of(loss) };
  },
  backward(inputs, p, upstream) {
    const { f, t, g } = split(inputs, p);
    const grad = sobel.forward([f], p.sobel);
    const dF = new Float64Array(f.data.length);
    const dGrad = new Float64Array(grad.data.length); // d L / d ∇F
    addInto(dGrad, l1.backward([grad, scaled(grad, 0)], undefined, scaled(upstream, p.sparsity))[0]);
    const dT = t.map((target, k) => {
      const [df, dt] = mse.backward([f, target], undefined, scaled(upstream, p.intensity[k]));
      addInto(dF, df);
      return dt;
    });
    const dG = g.map((target, j) => {
      const [dg, dtarget] = mse.backward([grad, target], undefined, scaled(upstream, p.gradient[j]));
      addInto(dGrad, dg);
      return dtarget;
    });
    addInto(dF, sobel.backward([f], p.sobel, { shape: grad.shape, data: dGrad })[0]);
    return [{ shape: [...f.shape], data: dF }, ...dT, ...dG];
  },
};

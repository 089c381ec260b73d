/**
 * Mean losses over d = a − b, each a fused op (shaders/loss.wgsl): mse = mean(d²), l1 = mean(|d|).
 * Forward: one pass of partial sums of the terms, read coalesced, then the engine's sum of the
 * partials; backward: one pass, da = g·slope(d)/n (db = −da when b needs it). Composed from
 * sub, square or abs, sum and a scale, the same loss took 5 dispatches forward and 3 back; on a
 * fast GPU a small step is bound by dispatches. (INRFuse's whole loss is one op: fidelity.ts.)
 * Float64 reference: src/reference/loss.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { noGrad, runtime } from '../tensor/context.ts';
import { full } from '../tensor/create.ts';
import { assertSameShape, Tensor } from '../tensor/tensor.ts';
import { sum } from './reduce.ts';

const TERMS = {
  mse: { TERM: 'd * d', SLOPE: '2.0 * d' },
  // sign(0) = 0: the gradient at a = b is 0
  l1: { TERM: 'abs(d)', SLOPE: 'sign(d)' },
} as const;
type LossName = keyof typeof TERMS;

const kernels = new Map<string, Kernel>();
function lossKernel(name: LossName, entry: 'partial' | 'gradient', withB: boolean, withDb: boolean): Kernel {
  const key = `loss.${name}.${entry}${withB ? '' : '.magnitude'}${withDb ? '.db' : ''}`;
  let k = kernels.get(key);
  if (!k) {
    const constants = { WITH_B: Number(withB), WITH_DB: Number(withDb) };
    k = { name: key, file: 'loss.wgsl', entryPoint: entry, snippets: TERMS[name], constants, inputs: 3, outputs: 2, uniform: true };
    kernels.set(key, k);
  }
  return k;
}

/**
 * Terms per partial sum: long runs on SwiftShader (each workgroup is a CPU thread's loop), short
 * on GPUs (a thread per 32 terms, the rest summed by the engine's reduction in its own levels).
 */
const termsPerPartial = (): number => (runtime().tuning === 'cpu' ? 256 : 32);

/** The mean of term(a − b), or of term(a) when b is null (a loss against 0 needs no zeros tensor). */
function meanLoss(name: LossName, a: Tensor, b: Tensor | null): Tensor {
  if (b) assertSameShape(name, a.shape, b.shape); // no silent broadcasting of a target
  const rt = runtime();
  const n = a.size;
  if (n === 0) return full([], NaN); // the mean of nothing, as the reference has it
  const partials = Math.ceil(n / termsPerPartial());
  const parts = Tensor.empty([partials], `${name}.partial`);
  const params = new Params().u32(n).u32(partials).f32(1 / n); // the same for both passes
  rt.dispatch(lossKernel(name, 'partial', !!b, false), {
    inputs: [a, b ?? a, a], outputs: [parts, rt.unusedOutput], params,
    workgroups: rt.grid1d(partials, 256),
  });
  const y = noGrad(() => sum(parts)); // shape []
  parts.dispose();
  const inputs = b ? [a, b] : [a];
  return record(y, name, inputs, (g) => {
    const da = Tensor.empty(a.shape, `${name}.grad`);
    const db = b?.requiresGrad ? Tensor.empty(b.shape, `${name}.grad`) : null;
    rt.dispatch(lossKernel(name, 'gradient', !!b, !!db), {
      inputs: [a, b ?? a, g], outputs: [da, db ?? rt.unusedOutput], params,
      workgroups: rt.grid1d(n, 256),
    });
    return [a.requiresGrad ? da : (da.dispose(), null), db];
  });
}

/** mean((a − b)²) over all elements */
export function mse(a: Tensor, b: Tensor): Tensor {
  return meanLoss('mse', a, b);
}

/** mean(|a − b|) over all elements, or mean(|a|) without b; the gradient at a = b is 0 */
export function l1(a: Tensor, b?: Tensor): Tensor {
  return meanLoss('l1', a, b ?? null);
}

/**
 * Central-difference gradient checks for RefOp backward rules.
 *
 * The scalar checked is L = Σ forward(inputs) · gradOut, whose gradient with respect to each
 * input is exactly the vector-Jacobian product `backward(inputs, params, gradOut)` computes.
 * Ops with kinks (abs, relu, sign, max/min ties, clamp edges, prelu at 0) are only checked
 * at points the caller picks at least a few h away from the kink.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { mulberry32, randomTensor } from './tensor.ts';

export interface GradError {
  maxAbsError: number;
  /** max over elements of |a − n| / max(1, |a|, |n|) (a = analytic, n = numerical) */
  maxRelError: number;
}

export interface GradCheckResult extends GradError {
  perInput: GradError[];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** dL/d(input) for every input by (L(x + h) − L(x − h)) / 2h, one element at a time. */
export function numericalGradients<P>(
  op: RefOp<P>,
  inputs: CpuTensor[],
  params: P,
  gradOut: CpuTensor,
  h = 1e-6,
): CpuTensor[] {
  // Perturb copies so the caller's inputs are never touched.
  const work = inputs.map((t) => ({ shape: [...t.shape], data: Float64Array.from(t.data) }));
  const loss = (): number => dot(op.forward(work, params).data, gradOut.data);
  return work.map((t) => {
    const grad = { shape: [...t.shape], data: new Float64Array(t.data.length) };
    for (let i = 0; i < t.data.length; i++) {
      const x = t.data[i];
      t.data[i] = x + h;
      const plus = loss();
      t.data[i] = x - h;
      const minus = loss();
      t.data[i] = x; // restore exactly
      grad.data[i] = (plus - minus) / (2 * h);
    }
    return grad;
  });
}

function compare(analytic: Float64Array, numerical: Float64Array): GradError {
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i];
    const n = numerical[i];
    const abs = Math.abs(a - n);
    // The floor of 1 makes this an absolute error for small gradients, where central
    // differences cannot give relative accuracy. NaN (e.g. a wrong rule producing it) propagates.
    const rel = abs / Math.max(1, Math.abs(a), Math.abs(n));
    maxAbsError = Number.isNaN(abs) || abs > maxAbsError ? abs : maxAbsError;
    maxRelError = Number.isNaN(rel) || rel > maxRelError ? rel : maxRelError;
  }
  return { maxAbsError, maxRelError };
}

/**
 * Compare `op.backward` with central differences, using a random gradOut in [−1, 1) drawn
 * from `seed`. Throws if backward returns the wrong number of gradients or wrong shapes.
 */
export function checkGradients<P>(
  op: RefOp<P>,
  inputs: CpuTensor[],
  params: P,
  seed = 1,
  h = 1e-6,
): GradCheckResult {
  const out = op.forward(inputs, params);
  const gradOut = randomTensor(out.shape, mulberry32(seed));
  const analytic = op.backward(inputs, params, gradOut);
  if (analytic.length !== inputs.length) {
    throw new Error(`${op.name}.backward returned ${analytic.length} gradients for ${inputs.length} inputs`);
  }
  analytic.forEach((g, i) => {
    const want = inputs[i].shape.join(',');
    if (g.shape.join(',') !== want || g.data.length !== inputs[i].data.length) {
      throw new Error(`${op.name}.backward gradient ${i} has shape [${g.shape}] but input is [${want}]`);
    }
  });
  const numerical = numericalGradients(op, inputs, params, gradOut, h);
  const perInput = analytic.map((g, i) => compare(g.data, numerical[i].data));
  const worst = (key: keyof GradError): number =>
    perInput.reduce((m, e) => (Number.isNaN(e[key]) || e[key] > m ? e[key] : m), 0);
  return { maxAbsError: worst('maxAbsError'), maxRelError: worst('maxRelError'), perInput };
}

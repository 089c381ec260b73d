// Shared assertions and input generators for the float64 reference tests.
import * as assert from 'uvu/assert';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { checkGradients } from '../../src/reference/gradcheck.ts';
import { cpuTensor, size } from '../../src/reference/tensor.ts';

/** The bar every backward rule must clear (see gradcheck.ts for the error measure). */
export const GRAD_TOL = 1e-6;

/** Elementwise |actual − expected| ≤ tol (NaN only matches NaN). */
export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12, label = ''): void {
  assert.is(actual.length, expected.length, `${label} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = a === e || (Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tol);
    if (!ok) assert.unreachable(`${label}[${i}]: got ${a}, expected ${e} (tol ${tol})`);
  }
}

/** A tensor of ones (a gradOut that just sums). */
export function ones(shape: number[]): CpuTensor {
  const t = cpuTensor(shape);
  t.data.fill(1);
  return t;
}

/** Shape and values of a tensor. */
export function tensorIs(t: CpuTensor, shape: number[], data: ArrayLike<number>, tol = 1e-12, label = ''): void {
  assert.equal(t.shape, shape, `${label} shape`);
  close(t.data, data, tol, label);
}

/** Assert op.backward matches central differences at these inputs. */
export function gradOk<P>(op: RefOp<P>, inputs: CpuTensor[], params: P, label = op.name, seed = 7): void {
  const r = checkGradients(op, inputs, params, seed);
  const shapes = inputs.map((t) => `[${t.shape}]`).join(' ');
  assert.ok(r.maxRelError < GRAD_TOL, `${label} ${shapes}: max rel error ${r.maxRelError}`);
}

/** Uniform in [lo, hi) but at least `margin` from every kink (rejection sampling). */
export function randomAway(shape: number[], rng: () => number, kinks: ArrayLike<number>, margin = 1e-3, lo = -1, hi = 1): CpuTensor {
  const t = cpuTensor(shape);
  for (let i = 0; i < t.data.length; i++) {
    let v: number;
    do v = lo + (hi - lo) * rng();
    while (Array.from(kinks).some((k) => Math.abs(v - k) < margin));
    t.data[i] = v;
  }
  return t;
}

/** A shuffle of evenly spaced values in [−1, 1): no two within 2/n, so no near-ties. */
export function distinctTensor(shape: number[], rng: () => number): CpuTensor {
  const n = size(shape);
  const values = Array.from({ length: n }, (_, i) => -1 + (2 * i + 0.5) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return cpuTensor(shape, values);
}

/** Shapes with odd sizes used across the families. */
export const ODD_SHAPES: number[][] = [[1], [7], [33], [3, 11], [2, 3, 5]];

/**
 * GPU op vs float64 reference: forward values, then the vector-Jacobian product.
 *
 * For a random r shaped like the output, the GPU computes loss = sum(op(x…) · r) and backward();
 * each input's .grad must match `ref.backward(inputs, params, r)`. Both sides see the same
 * float32-rounded inputs and r, so what is compared is the kernels' float32 arithmetic against
 * exact arithmetic, not the rounding of the inputs. Small cases also get a float64
 * central-difference check of the reference at the very same inputs (STYLE.md, Tests).
 */
import * as assert from 'uvu/assert';
import { liveTensorCount, ops, tensor, tidy, type Tensor } from '../../src/index.ts';
import { checkGradients } from '../../src/reference/gradcheck.ts';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { GRAD_TOL } from '../reference/helpers.ts';

/** |gpu − ref| ≤ atol + rtol·|ref| element-wise. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** What float32 kernels on any GPU meet for element-wise ops and short reductions. */
export const DEFAULT_TOL: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** Above this many input elements the central-difference check is skipped (it costs 2 forwards per element). */
const FD_MAX_ELEMENTS = 600;

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** The multi-index of flat index i in a row-major shape, for messages. */
function multiIndex(shape: readonly number[], i: number): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${index.join(', ')}]`;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| for every element; a NaN anywhere it is
 * not expected fails. The message names the worst element (largest error / bound).
 */
export function assertClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, shape: readonly number[], tol: Tolerance, label: string,
): void {
  assert.is(actual.length, expected.length, `${label}: ${actual.length} values, expected ${expected.length}`);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e) continue; // also equal infinities
    const bound = tol.atol + tol.rtol * Math.abs(e);
    const ratio = Math.abs(a - e) / bound;
    if (!(ratio <= worstRatio)) { // NaN ratios win
      worstRatio = ratio;
      worst = i;
      if (Number.isNaN(ratio)) break;
    }
  }
  if (worst >= 0 && !(worstRatio <= 1)) {
    const a = actual[worst];
    const e = expected[worst];
    const diff = Number.isNaN(e) || Number.isNaN(a) ? 'a NaN on one side only'
      : `|diff| ${Math.abs(a - e).toExponential(3)} > ${(tol.atol + tol.rtol * Math.abs(e)).toExponential(3)}`;
    assert.unreachable(
      `${label}: worst element ${worst} ${multiIndex(shape, worst)} of ${shapeText(shape)}: gpu ${a}, reference ${e}, ${diff} ` +
      `(atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

/** Rounds every value to float32, the precision the GPU gets. */
export function toFloat32(t: CpuTensor): CpuTensor {
  return { shape: [...t.shape], data: t.data.map(Math.fround) };
}

export interface OpCase<P> {
  label: string;
  /** float64 inputs; rounded to float32 before either side sees them */
  inputs: CpuTensor[];
  /** the GPU op on tensors made from `inputs` */
  gpu: (xs: Tensor[]) => Tensor;
  ref: RefOp<P>;
  params: P;
  /** which inputs get requiresGrad (all by default); the others must end with no .grad */
  requiresGrad?: boolean[];
  forwardTol?: Tolerance;
  gradTol?: Tolerance;
  /** run the float64 central-difference check of `ref` too (default: when the inputs are small) */
  centralDifference?: boolean;
  /** seed of r */
  seed?: number;
}

/** Checks one case; throws an assertion error naming the op, the shapes and the worst element. */
export async function checkOp<P>(c: OpCase<P>): Promise<void> {
  const inputs = c.inputs.map(toFloat32);
  const needsGrad = c.requiresGrad ?? inputs.map(() => true);
  const shapes = inputs.map((t) => shapeText(t.shape)).join(' ');
  const label = `${c.label} ${shapes}`;
  const live = liveTensorCount();

  const expected = c.ref.forward(inputs, c.params);
  const r = toFloat32(randomTensor(expected.shape, mulberry32(c.seed ?? 12345)));
  const expectedGrads = c.ref.backward(inputs, c.params, r);

  const totalElements = inputs.reduce((n, t) => n + t.data.length, 0);
  if (c.centralDifference ?? totalElements <= FD_MAX_ELEMENTS) {
    const fd = checkGradients(c.ref, inputs, c.params, 7);
    assert.ok(fd.maxRelError < GRAD_TOL, `${label}: reference backward vs central differences, max rel error ${fd.maxRelError}`);
  }

  const xs = inputs.map((t, k) => tensor(Float32Array.from(t.data), t.shape, { requiresGrad: needsGrad[k] }));
  const rGpu = tensor(Float32Array.from(r.data), r.shape);
  let y: Tensor | null = null;
  try {
    // Forward and backward in one scope: the tape needs the intermediates alive.
    y = tidy(() => {
      const out = c.gpu(xs);
      if (needsGrad.some(Boolean)) ops.sum(ops.mul(out, rGpu)).backward();
      return out;
    });
    assert.equal([...y.shape], expected.shape, `${label}: output shape`);
    assertClose(await y.read(), expected.data, expected.shape, c.forwardTol ?? DEFAULT_TOL, `${label} forward`);
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      if (!needsGrad[k]) {
        assert.is(x.grad, null, `${label}: input ${k} has requiresGrad false but got a gradient`);
        continue;
      }
      const want = expectedGrads[k];
      // An op may leave .grad null where the gradient is identically zero (sign).
      const got = x.grad ? await x.grad.read() : new Float32Array(x.size);
      if (x.grad) assert.equal([...x.grad.shape], [...x.shape], `${label}: gradient ${k} shape`);
      assertClose(got, want.data, want.shape, c.gradTol ?? DEFAULT_TOL, `${label} gradient of input ${k}`);
    }
  } finally {
    // An op may return its input itself (sumToShape to the same shape): dispose it once, last.
    if (y && !xs.includes(y)) y.dispose();
    for (const x of xs) x.dispose();
    rGpu.dispose();
  }
  assert.is(liveTensorCount(), live, `${label}: tensors leaked by the op (forward + backward in a tidy scope)`);
}

/** A tensor filled with f(i). */
export function tensorFrom(shape: readonly number[], f: (i: number) => number): CpuTensor {
  const t = cpuTensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = f(i);
  return t;
}

/**
 * Float64 CPU tensors for the reference implementations that the GPU kernels are tested against.
 * Clarity and exactness over speed: plain loops, row-major contiguous data, no views.
 */
import { mulberry32 } from '../random.ts';

/** Row-major, contiguous. A scalar has shape [] and one element. */
export interface CpuTensor {
  shape: number[];
  data: Float64Array;
}

export interface RefOp<P = void> {
  name: string;
  forward(inputs: CpuTensor[], params: P): CpuTensor;
  /** vector-Jacobian product: one gradient per input, each with that input's shape */
  backward(inputs: CpuTensor[], params: P, gradOut: CpuTensor): CpuTensor[];
}

/** Number of elements; 1 for the scalar shape []. */
export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements, e.g. [2, 3, 4] -> [12, 4, 1]. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

function checkShape(shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(', ')}]`);
  }
}

/** A tensor over a copy of `data` (zeros when omitted); the length must match the shape. */
export function cpuTensor(shape: readonly number[], data?: ArrayLike<number>): CpuTensor {
  checkShape(shape);
  const n = size(shape);
  if (data !== undefined && data.length !== n) {
    throw new Error(`data has ${data.length} elements but shape [${shape.join(', ')}] needs ${n}`);
  }
  const out = new Float64Array(n);
  if (data !== undefined) out.set(data);
  return { shape: [...shape], data: out };
}

export function zeros(shape: readonly number[]): CpuTensor {
  return cpuTensor(shape);
}

/** Uniform in [lo, hi). */
export function randomTensor(shape: readonly number[], rng: () => number, lo = -1, hi = 1): CpuTensor {
  const t = zeros(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * rng();
  return t;
}

export { mulberry32 };

/** NumPy broadcasting: align right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1; // missing leading dims act as 1
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`cannot broadcast shapes [${a.join(', ')}] and [${b.join(', ')}] (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every flat index of `outShape`, the flat index of the element of `inShape` that
 * broadcasting reads there. `inShape` must broadcast to `outShape`.
 */
export function broadcastIndexMap(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  if (inShape.length > rank) {
    throw new Error(`shape [${inShape.join(', ')}] has more axes than [${outShape.join(', ')}]`);
  }
  const inStrides = stridesOf(inShape);
  // Stride of each output axis in the input: 0 where the input broadcasts (dim 1 or missing).
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    if (inShape[i] === outShape[axis]) strides[axis] = inStrides[i];
    else if (inShape[i] !== 1) {
      throw new Error(`shape [${inShape.join(', ')}] does not broadcast to [${outShape.join(', ')}]`);
    }
  }
  const n = size(outShape);
  const map = new Int32Array(n);
  const index = new Array<number>(rank).fill(0); // multi-index of out element o
  let offset = 0;
  for (let o = 0; o < n; o++) {
    map[o] = offset;
    // Row-major increment of the multi-index, keeping `offset` in step.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      offset += strides[axis];
      if (index[axis] < outShape[axis]) break;
      offset -= strides[axis] * index[axis];
      index[axis] = 0;
    }
  }
  return map;
}

/**
 * Undo broadcasting for a gradient: sum `grad` (shaped like the broadcast output) over every
 * axis along which `shape` was broadcast. The one place broadcast gradients are reduced.
 */
export function sumToShape(grad: CpuTensor, shape: readonly number[]): CpuTensor {
  const out = zeros(shape);
  const map = broadcastIndexMap(grad.shape, shape);
  for (let o = 0; o < grad.data.length; o++) out.data[map[o]] += grad.data[o];
  return out;
}

/** Normalise a possibly negative axis into [0, rank). */
export function normaliseAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Throw unless the op got exactly `n` inputs. */
export function expectInputs(name: string, inputs: readonly CpuTensor[], n: number): void {
  if (inputs.length !== n) throw new Error(`${name} takes ${n} input(s), got ${inputs.length}`);
}

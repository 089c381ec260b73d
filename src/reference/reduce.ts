/**
 * Reductions over a set of axes: sum, mean, max, min.
 * axes undefined = every axis; axes [] = no axis (NumPy's axis=(), an identity); negative axes
 * count from the end; repeated axes are an error. keepDims leaves each reduced axis as size 1.
 *
 * max/min gradient: the whole gradient of a group goes to the FIRST element, in row-major order
 * within that group, that attains the extreme (so ties never split it). NaN propagates: the
 * first NaN in a group is its result and receives the gradient.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { broadcastIndexMap, expectInputs, normaliseAxis, size } from './tensor.ts';

export interface ReduceParams {
  axes?: number[];
  keepDims?: boolean;
}

/** Output shapes and, per input element, the flat index of the group (output element) it joins. */
export function reducePlan(
  shape: readonly number[],
  { axes, keepDims = false }: ReduceParams,
): { outShape: number[]; group: Int32Array; groupSize: number } {
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(axes === undefined);
  for (const axis of axes ?? []) {
    const a = normaliseAxis(axis, rank);
    if (reduced[a]) throw new Error(`axis ${axis} given twice in [${axes}]`);
    reduced[a] = true;
  }
  const kept = shape.map((d, i) => (reduced[i] ? 1 : d)); // keepDims shape
  const outShape = keepDims ? kept : shape.filter((_, i) => !reduced[i]);
  // Both output shapes list the groups in the same row-major order, so one map serves both.
  const group = broadcastIndexMap(shape, kept);
  const groupSize = size(shape.filter((_, i) => reduced[i]));
  return { outShape, group, groupSize };
}

const sumOp = (name: string, isMean: boolean): RefOp<ReduceParams> => ({
  name,
  forward(inputs, params) {
    expectInputs(name, inputs, 1);
    const [x] = inputs;
    const { outShape, group, groupSize } = reducePlan(x.shape, params);
    const data = new Float64Array(size(outShape));
    for (let i = 0; i < x.data.length; i++) data[group[i]] += x.data[i];
    if (isMean) for (let o = 0; o < data.length; o++) data[o] /= groupSize; // 0/0 = NaN for empty groups
    return { shape: outShape, data };
  },
  backward(inputs, params, g) {
    expectInputs(name, inputs, 1);
    const [x] = inputs;
    const { group, groupSize } = reducePlan(x.shape, params);
    const scale = isMean ? 1 / groupSize : 1;
    const data = new Float64Array(x.data.length);
    for (let i = 0; i < x.data.length; i++) data[i] = g.data[group[i]] * scale;
    return [{ shape: [...x.shape], data }];
  },
});

/** For each group, the flat input index of its first extreme element (see the file comment). */
function argExtreme(x: CpuTensor, params: ReduceParams, isMax: boolean): { outShape: number[]; arg: Int32Array } {
  const { outShape, group } = reducePlan(x.shape, params);
  const arg = new Int32Array(size(outShape)).fill(-1);
  for (let i = 0; i < x.data.length; i++) {
    const o = group[i];
    const v = x.data[i];
    if (arg[o] < 0) {
      arg[o] = i;
      continue;
    }
    const best = x.data[arg[o]];
    // Strict comparison keeps the first of equal values; a NaN wins once and then stays.
    const better = isMax ? v > best : v < best;
    if (better || (Number.isNaN(v) && !Number.isNaN(best))) arg[o] = i;
  }
  if (arg.includes(-1)) throw new Error(`${isMax ? 'max' : 'min'} over an empty axis`);
  return { outShape, arg };
}

const extremeOp = (name: string, isMax: boolean): RefOp<ReduceParams> => ({
  name,
  forward(inputs, params) {
    expectInputs(name, inputs, 1);
    const [x] = inputs;
    const { outShape, arg } = argExtreme(x, params, isMax);
    return { shape: outShape, data: Float64Array.from(arg, (i) => x.data[i]) };
  },
  backward(inputs, params, g) {
    expectInputs(name, inputs, 1);
    const [x] = inputs;
    const { arg } = argExtreme(x, params, isMax);
    const data = new Float64Array(x.data.length);
    arg.forEach((i, o) => (data[i] = g.data[o]));
    return [{ shape: [...x.shape], data }];
  },
});

export const sum = sumOp('sum', false);
export const mean = sumOp('mean', true);
export const max = extremeOp('max', true);
export const min = extremeOp('min', false);

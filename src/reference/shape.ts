/**
 * Shape ops: reshape, permute, transpose, slice, concat, pad. Forward gathers; backward sends
 * each output gradient back to the input element it came from (scatter-add where several
 * outputs read one input, as in reflect/replicate padding).
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { borderIndex } from './border.ts';
import { expectInputs, normaliseAxis, size, stridesOf } from './tensor.ts';

export interface ReshapeParams { shape: number[] }
export interface PermuteParams { perm: number[] }
/** Per axis, step 1, ends exclusive; negative values count from the end of the axis. */
export interface SliceParams { starts: number[]; ends: number[] }
export interface ConcatParams { axis: number }
/** pads[0] = [top, bottom] for axis −2, pads[1] = [left, right] for axis −1 (axis order, unlike torch's F.pad). */
export interface PadParams { pads: [before: number, after: number][]; mode: 'zero' | 'reflect' | 'replicate' }

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Gather: out[o] = x[source[o]] (0 where source is −1). Its vector-Jacobian product is the
 * scatter-add below, so every shape op only has to say where each output element comes from.
 */
function gather(x: CpuTensor, shape: number[], source: Int32Array): CpuTensor {
  return { shape, data: Float64Array.from(source, (s) => (s < 0 ? 0 : x.data[s])) };
}
function scatterAdd(inShape: number[], source: Int32Array, g: CpuTensor): CpuTensor {
  const data = new Float64Array(size(inShape));
  source.forEach((s, o) => {
    if (s >= 0) data[s] += g.data[o];
  });
  return { shape: [...inShape], data };
}

/** For each output multi-index (row-major), the flat input index returned by `at`. */
function sourceMap(outShape: readonly number[], at: (index: number[]) => number): Int32Array {
  const n = size(outShape);
  const map = new Int32Array(n);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < n; o++) {
    map[o] = at(index);
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < outShape[axis]) break;
      index[axis] = 0;
    }
  }
  return map;
}

/** Flat index of a multi-index given strides. */
const flat = (index: readonly number[], strides: readonly number[]): number =>
  index.reduce((s, v, i) => s + v * strides[i], 0);

/** An op defined by (inputShape, params) -> (outputShape, source map). */
function gatherOp<P>(name: string, plan: (shape: number[], params: P) => { shape: number[]; source: Int32Array }): RefOp<P> {
  return {
    name,
    forward(inputs, params) {
      expectInputs(name, inputs, 1);
      const { shape, source } = plan(inputs[0].shape, params);
      return gather(inputs[0], shape, source);
    },
    backward(inputs, params, g) {
      expectInputs(name, inputs, 1);
      return [scatterAdd(inputs[0].shape, plan(inputs[0].shape, params).source, g)];
    },
  };
}

/** Resolve a reshape target with at most one −1 against `from`. */
export function resolveShape(from: readonly number[], to: readonly number[]): number[] {
  const wild = to.filter((d) => d === -1).length;
  if (wild > 1) throw new Error(`reshape: more than one −1 in ${fmt(to)}`);
  if (to.some((d) => !Number.isInteger(d) || d < -1)) throw new Error(`reshape: invalid shape ${fmt(to)}`);
  const known = size(to.filter((d) => d !== -1));
  const n = size(from);
  if (wild === 1 && (known === 0 || n % known !== 0)) throw new Error(`reshape: cannot infer −1 in ${fmt(to)} from ${fmt(from)}`);
  const shape = to.map((d) => (d === -1 ? n / known : d));
  if (size(shape) !== n) throw new Error(`reshape: ${fmt(from)} has ${n} elements, ${fmt(to)} needs ${size(shape)}`);
  return shape;
}

export const reshape = gatherOp<ReshapeParams>('reshape', (from, { shape }) => {
  const to = resolveShape(from, shape);
  return { shape: to, source: Int32Array.from({ length: size(to) }, (_, i) => i) };
});

/** Output axis i walks input axis perm[i] (perm already validated, non-negative). */
function planPermute(from: readonly number[], perm: readonly number[]): { shape: number[]; source: Int32Array } {
  const strides = stridesOf(from);
  const shape = perm.map((a) => from[a]);
  return { shape, source: sourceMap(shape, (index) => index.reduce((s, v, i) => s + v * strides[perm[i]], 0)) };
}

/** out.shape[i] = x.shape[perm[i]] (negative entries allowed). */
export const permute = gatherOp<PermuteParams>('permute', (from, { perm }) => {
  const p = perm.map((a) => normaliseAxis(a, from.length));
  if (p.length !== from.length || new Set(p).size !== p.length) {
    throw new Error(`permute: ${fmt(perm)} is not a permutation of ${from.length} axes`);
  }
  return planPermute(from, p);
});

/** Swap the last two axes (rank ≥ 2). */
export const transpose = gatherOp<void>('transpose', (from) => {
  const r = from.length;
  if (r < 2) throw new Error(`transpose needs at least 2 axes, got ${fmt(from)}`);
  const perm = from.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return planPermute(from, perm);
});

/** One [start, end) per axis; negative values count from the end; out of range is an error. */
export const slice = gatherOp<SliceParams>('slice', (from, { starts, ends }) => {
  if (starts.length !== from.length || ends.length !== from.length) {
    throw new Error(`slice: need ${from.length} starts and ends for ${fmt(from)}, got ${fmt(starts)} and ${fmt(ends)}`);
  }
  const lo = starts.map((s, i) => (s < 0 ? s + from[i] : s));
  const hi = ends.map((e, i) => (e < 0 ? e + from[i] : e));
  from.forEach((d, i) => {
    if (!Number.isInteger(lo[i]) || !Number.isInteger(hi[i]) || lo[i] < 0 || lo[i] > hi[i] || hi[i] > d) {
      throw new Error(`slice: axis ${i} of ${fmt(from)}: [${starts[i]}, ${ends[i]}) is out of range`);
    }
  });
  const strides = stridesOf(from);
  const shape = lo.map((s, i) => hi[i] - s);
  return { shape, source: sourceMap(shape, (index) => flat(index.map((v, i) => v + lo[i]), strides)) };
});

/** Pad the last two axes; see border.ts for the modes. Reflect needs pad < axis length (as PyTorch). */
export const pad = gatherOp<PadParams>('pad', (from, { pads, mode }) => {
  const r = from.length;
  if (r < 2 || pads.length !== 2) throw new Error(`pad: needs rank ≥ 2 and 2 [before, after] pairs, got ${fmt(from)}`);
  pads.forEach(([before, after], k) => {
    const n = from[r - 2 + k];
    for (const p of [before, after]) {
      if (!Number.isInteger(p) || p < 0) throw new Error(`pad: padding ${p} must be a non-negative integer`);
      if (mode === 'reflect' && p >= n) throw new Error(`pad: reflect padding ${p} must be < axis length ${n}`);
      if (mode === 'replicate' && p > 0 && n === 0) throw new Error('pad: cannot replicate an empty axis');
    }
  });
  const [[top, bottom], [left, right]] = pads;
  const [H, W] = [from[r - 2], from[r - 1]];
  const shape = [...from.slice(0, -2), H + top + bottom, W + left + right];
  const batchStrides = stridesOf(from.slice(0, -2));
  const source = sourceMap(shape, (index) => {
    const y = borderIndex(index[r - 2] - top, H, mode);
    const x = borderIndex(index[r - 1] - left, W, mode);
    if (y < 0 || x < 0) return -1;
    return (flat(index.slice(0, -2), batchStrides) * H + y) * W + x;
  });
  return { shape, source };
});

/** Join any number of inputs along `axis`; all other axes must match. */
export const concat: RefOp<ConcatParams> = {
  name: 'concat',
  forward(inputs, { axis }) {
    const { shape, offsets } = planConcat(inputs, axis);
    const a = normaliseAxis(axis, shape.length);
    const out = { shape, data: new Float64Array(size(shape)) };
    // outer = product of the axes before `a`, inner = after; each input contributes a
    // contiguous block of (its length on a) · inner per outer index.
    const outer = size(shape.slice(0, a));
    const inner = size(shape.slice(a + 1));
    inputs.forEach((t, k) => {
      const block = t.shape[a] * inner;
      for (let o = 0; o < outer; o++) {
        out.data.set(t.data.subarray(o * block, (o + 1) * block), (o * shape[a] + offsets[k]) * inner);
      }
    });
    return out;
  },
  backward(inputs, { axis }, g) {
    const { shape, offsets } = planConcat(inputs, axis);
    const a = normaliseAxis(axis, shape.length);
    const outer = size(shape.slice(0, a));
    const inner = size(shape.slice(a + 1));
    return inputs.map((t, k) => {
      const block = t.shape[a] * inner;
      const data = new Float64Array(t.data.length);
      for (let o = 0; o < outer; o++) {
        const from = (o * shape[a] + offsets[k]) * inner;
        data.set(g.data.subarray(from, from + block), o * block);
      }
      return { shape: [...t.shape], data };
    });
  },
};

/** Output shape and each input's starting position along the axis. */
function planConcat(inputs: CpuTensor[], axis: number): { shape: number[]; offsets: number[] } {
  if (inputs.length === 0) throw new Error('concat needs at least one input');
  const first = inputs[0].shape;
  const a = normaliseAxis(axis, first.length);
  const offsets: number[] = [];
  let total = 0;
  for (const t of inputs) {
    const same = t.shape.length === first.length && t.shape.every((d, i) => i === a || d === first[i]);
    if (!same) throw new Error(`concat on axis ${axis}: ${fmt(t.shape)} does not match ${fmt(first)}`);
    offsets.push(total);
    total += t.shape[a];
  }
  const shape = [...first];
  shape[a] = total;
  return { shape, offsets };
}

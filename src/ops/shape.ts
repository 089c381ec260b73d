/**
 * Shape ops: reshape (a view: no copy), and the copies made by one strided-copy kernel
 * (shaders/shape.wgsl): permute/transpose, slice, concat, broadcastTo; and transposeEach, several
 * matrices in one pass (shaders/transpose_each.wgsl).
 * Kernels read contiguous row-major tensors only, so a permute materialises its result;
 * matmul takes transpose flags, so the transposes autodiff needs there cost nothing.
 * Float64 reference: src/reference/shape.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { slotBindings, slotBranches, slotCount, slotStarts } from '../gpu/slots.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor, shapeString, sizeOf, stridesOf, type Shape } from '../tensor/tensor.ts';
import { collapseAxes, flatIndexCode } from './index_codegen.ts';

const MAX_RANK = 8;
const copyKernels = new Map<number, Kernel>();
/** The strided-copy pipeline for views of `rank` (collapsed) axes. */
function stridedCopyKernel(rank: number): Kernel {
  let k = copyKernels.get(rank);
  if (!k) {
    k = { name: `shape.strided_copy.rank${rank}`, file: 'shape.wgsl', snippets: { INDEX: flatIndexCode(rank, 'shape', ['si', 'di'], ['in_strides', 'out_strides']) }, inputs: 1, outputs: 1, uniform: true };
    copyKernels.set(rank, k);
  }
  return k;
}

/**
 * out[outOffset + Σ c·outStrides] = in[inOffset + Σ c·inStrides] over every coordinate c of `shape`.
 * When the copy is a few long contiguous runs (concat or slice along a leading axis) it is done
 * with buffer-to-buffer copies, which are memcpy speed; otherwise by the strided-copy kernel.
 */
export function stridedCopy(
  src: Tensor, dst: Tensor, shape: Shape,
  inStrides: readonly number[], inOffset: number, outStrides: readonly number[], outOffset: number,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  if (copyRuns(src, dst, shape, inStrides, inOffset, outStrides, outOffset)) return;
  if (shape.length > MAX_RANK) throw new Error(`rank ${shape.length} tensors are not supported (max ${MAX_RANK})`);
  const rt = runtime();
  const axes = collapseAxes(shape, [inStrides, outStrides]);
  const params = new Params().u32(n).u32(axes.shape.length).u32(inOffset).u32(outOffset)
    .u32s(axes.shape, 2, 1).u32s(axes.strides[0], 2).u32s(axes.strides[1], 2);
  rt.dispatch(stridedCopyKernel(axes.shape.length), { inputs: [src], outputs: [dst], params, workgroups: rt.grid1d(n, 256) });
}

const MAX_RUNS = 64;
const MIN_RUN = 1024;

/** Copies as ≤ MAX_RUNS contiguous runs of ≥ MIN_RUN elements, if the layout allows; false otherwise. */
function copyRuns(
  src: Tensor, dst: Tensor, shape: Shape,
  inStrides: readonly number[], inOffset: number, outStrides: readonly number[], outOffset: number,
): boolean {
  // the longest suffix of axes that is contiguous on both sides
  let inner = shape.length;
  let run = 1;
  while (inner > 0 && inStrides[inner - 1] === run && outStrides[inner - 1] === run) run *= shape[--inner];
  const runs = sizeOf(shape.slice(0, inner));
  if (runs > MAX_RUNS || run < MIN_RUN) return false;
  const rt = runtime();
  const outer = shape.slice(0, inner);
  const coords = outer.map(() => 0);
  for (let r = 0; r < runs; r++) {
    let from = inOffset;
    let to = outOffset;
    coords.forEach((c, i) => { from += c * inStrides[i]; to += c * outStrides[i]; });
    rt.copy(src.buffer, from * 4, dst.buffer, to * 4, run * 4);
    for (let i = outer.length - 1; i >= 0 && ++coords[i] === outer[i]; i--) coords[i] = 0;
  }
  return true;
}

export function reshape(x: Tensor, shape: Shape): Tensor {
  const resolved = [...shape];
  const free = resolved.indexOf(-1);
  if (free >= 0) resolved[free] = x.size / sizeOf(resolved.filter((_, i) => i !== free));
  if (sizeOf(resolved) !== x.size || !resolved.every(Number.isInteger)) {
    throw new Error(`reshape: cannot view ${shapeString(x.shape)} as ${shapeString(shape)}`);
  }
  const y = new Tensor(resolved, x.storage.retain(), x.label);
  return record(y, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new Error(`permute: ${JSON.stringify(perm)} is not a permutation of ${x.rank} axes`);
  }
  const outShape = perm.map((p) => x.shape[p]);
  const y = Tensor.empty(outShape, 'permute');
  stridedCopy(x, y, outShape, perm.map((p) => x.strides[p]), 0, y.strides, 0);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record(y, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swaps the last two axes. */
export function transpose(x: Tensor): Tensor {
  if (x.rank < 2) throw new Error(`transpose needs rank ≥ 2, got ${shapeString(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return permute(x, perm);
}

/** matrices a transpose_each.wgsl pass takes at most, however many bindings an adapter has */
const TRANSPOSE_SLOTS = 4;

/** Slot k's params members of a transposing copy: its matrix's rows and columns, its first invocation. */
export const transposeSlotParams = (k: number): string => `  rows_${k}: u32, cols_${k}: u32, start_${k}: u32,`;
/**
 * Slot k's element j of a transposing copy (transpose_each.wgsl, siren_mlp_forward.wgsl):
 * out_k [cols_k, rows_k] at j, adjacent stores, from in_k [rows_k, cols_k].
 */
export const transposeSlot = (k: number, j: string): string =>
  `if (${j} < params.rows_${k} * params.cols_${k}) { out_${k}[${j}] = in_${k}[(${j} % params.rows_${k}) * params.cols_${k} + ${j} / params.rows_${k}]; }`;
const transposeKernels = new Map<number, Kernel>();
function transposeEachKernel(slots: number): Kernel {
  let k = transposeKernels.get(slots);
  if (!k) {
    const ks = Array.from({ length: slots }, (_, i) => i + 1);
    k = {
      name: `shape.transpose_each.${slots}`, file: 'transpose_each.wgsl', inputs: slots, outputs: slots, uniform: true,
      snippets: {
        SLOT_PARAMS: ks.map(transposeSlotParams).join('\n'),
        SLOT_BINDINGS: slotBindings(slots, [['in', 'read'], ['out', 'read_write']]),
        PARAMS_BINDING: String(2 * slots),
        SLOT_COPIES: slotBranches(slots, transposeSlot),
      },
    };
    transposeKernels.set(slots, k);
  }
  return k;
}

/**
 * The transposes of several matrices [R, C] → [C, R], in as few passes as the adapter's bindings
 * allow (shaders/transpose_each.wgsl): a SIREN's forward copies its hidden layers' weights so
 * (src/ops/siren_mlp.ts). Each result's gradient is the transpose of its own.
 */
export function transposeEach(xs: readonly Tensor[]): Tensor[] {
  for (const x of xs) if (x.rank !== 2) throw new Error(`transposeEach: matrices only, got ${shapeString(x.shape)}`);
  const ys = xs.map((x) => Tensor.empty([x.shape[1], x.shape[0]], 'transpose'));
  const rt = runtime();
  const work = xs.map((_, i) => i).filter((i) => xs[i].size > 0);
  const most = slotCount(rt, 2, 0, TRANSPOSE_SLOTS);
  for (let first = 0; first < work.length; first += most) {
    const pass = work.slice(first, first + most);
    const { starts, invocations } = slotStarts(pass.map((i) => xs[i].size), 256);
    const params = new Params();
    pass.forEach((i, k) => params.u32(xs[i].shape[0]).u32(xs[i].shape[1]).u32(starts[k]));
    rt.dispatch(transposeEachKernel(pass.length), {
      inputs: pass.map((i) => xs[i]), outputs: pass.map((i) => ys[i]), params, workgroups: rt.grid1d(invocations, 256),
    });
  }
  return ys.map((y, i) => record(y, 'transpose', [xs[i]], (g) => [transpose(g)]));
}

function checkRange(op: string, x: Tensor, starts: readonly number[], ends: readonly number[]): void {
  if (starts.length !== x.rank || ends.length !== x.rank) throw new Error(`${op}: need one start and end per axis of ${shapeString(x.shape)}`);
  starts.forEach((s, i) => {
    if (!(0 <= s && s <= ends[i] && ends[i] <= x.shape[i])) throw new Error(`${op}: [${s}, ${ends[i]}) is outside axis ${i} of ${shapeString(x.shape)}`);
  });
}

function offsetOf(strides: readonly number[], coords: readonly number[]): number {
  return coords.reduce((acc, c, i) => acc + c * strides[i], 0);
}

/** x[starts[0]:ends[0], starts[1]:ends[1], ...] */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[]): Tensor {
  checkRange('slice', x, starts, ends);
  const outShape = starts.map((s, i) => ends[i] - s);
  const y = Tensor.empty(outShape, 'slice');
  stridedCopy(x, y, outShape, x.strides, offsetOf(x.strides, starts), y.strides, 0);
  return record(y, 'slice', [x], (g) => {
    const dx = zeros(x.shape);
    stridedCopy(g, dx, outShape, g.strides, 0, dx.strides, offsetOf(dx.strides, starts));
    return [dx];
  });
}

export function concat(tensors: readonly Tensor[], axis: number): Tensor {
  const first = tensors[0];
  if (!first) throw new Error('concat: no tensors');
  const ax = axis < 0 ? axis + first.rank : axis;
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: ${shapeString(t.shape)} does not match ${shapeString(first.shape)} outside axis ${ax}`);
    }
  }
  const outShape = [...first.shape];
  outShape[ax] = tensors.reduce((acc, t) => acc + t.shape[ax], 0);
  const y = Tensor.empty(outShape, 'concat');
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    stridedCopy(t, y, t.shape, t.strides, 0, y.strides, at * y.strides[ax]);
    at += t.shape[ax];
  }
  return record(y, 'concat', [...tensors], (g) => tensors.map((t, k) => {
    const part = Tensor.empty(t.shape, 'concat.grad');
    stridedCopy(g, part, t.shape, g.strides, starts[k] * g.strides[ax], part.strides, 0);
    return part;
  }));
}

/** NumPy broadcast of two shapes (right-aligned; 1 stretches). */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes ${shapeString(a)} and ${shapeString(b)} do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Strides that read `shape` as if broadcast to `outShape` (0 along stretched axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  return outShape.map((_, i) => {
    const j = i - (outShape.length - shape.length);
    return j < 0 || shape[j] === 1 ? 0 : strides[j];
  });
}

/**
 * Reductions (sum, mean, max, min over any axes) and the two broadcast helpers that autodiff
 * is built on: broadcastTo (forward of a stretch) and sumToShape (its gradient — the one place
 * where broadcast gradients are summed back to an input's shape).
 * Kernels: shaders/reduce.wgsl, reduce_backward.wgsl. Float64 reference: src/reference/reduce.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor, shapeString, sizeOf, type Shape } from '../tensor/tensor.ts';
import { broadcastStrides, reshape, stridedCopy } from './shape.ts';
import { mulScalar } from './unary.ts';

type Combine = 'sum' | 'max' | 'min';
const KIND: Record<Combine, number> = { sum: 0, max: 1, min: 2 };
const reduceKernels = new Map<string, Kernel>();
type Form = 'main' | 'per_thread' | 'per_chunk';
function reduceKernel(c: Combine, form: Form): Kernel {
  const name = `reduce.${c}${form === 'main' ? '' : `.${form}`}`;
  let k = reduceKernels.get(name);
  if (!k) {
    k = { name, file: 'reduce.wgsl', entryPoint: form, snippets: { COMBINE: String(KIND[c]) }, inputs: 1, outputs: 2, uniform: true };
    reduceKernels.set(name, k);
  }
  return k;
}

/**
 * The kernel form for a reduction of `outputs` rows of length r. A workgroup per output pays off
 * only for few outputs with long rows (a loss, a norm), and only on a real GPU: SwiftShader runs
 * a workgroup on one CPU thread and switches fibres at every barrier of the tree, which made sum
 * over [1, 64, 32, 32]'s planes 30× slower than one invocation per output looping over its row.
 * Sums over rows of SPLIT_ROWS or more split them first (see TREE_CHUNK).
 */
function formFor(combine: Combine, outputs: number, r: number): 'thread' | 'workgroup' | 'split' {
  const forced = reductionForm.force;
  const perGroup = forced ? forced !== 'thread' : outputs < 256 && r >= 1024 && !runtime().report.swiftshader;
  if (!perGroup) return 'thread';
  if (combine === 'sum' && (forced ? forced === 'split' : r >= SPLIT_ROWS)) return 'split';
  return 'workgroup';
}

/** Sums over rows longer than this go in runs of CHUNK first when no workgroup tree is used (reduce.wgsl, per_chunk). */
const CHUNK = 256;

/**
 * With a workgroup per output, each of its 256 threads still loops over r / 256 elements, one
 * load after another: 188 µs a sum over 65,536 pixels on an H200, where 64 such workgroups leave
 * most of the chip idle. Rows this long are cut into runs of TREE_CHUNK summed by a thread each
 * (per_chunk), and the tree then sums the runs.
 */
const SPLIT_ROWS = 4096;
const TREE_CHUNK = 64;

/** Forces one of the reduction forms regardless of adapter and shape (tests check each). */
export const reductionForm: { force: 'workgroup' | 'split' | 'thread' | null } = { force: null };
const SCATTER: Kernel = { name: 'reduce_backward.scatter', file: 'reduce_backward.wgsl', inputs: 2, outputs: 1, uniform: true };

export interface ReduceOptions {
  /** axes to reduce (negative counts from the end); all when omitted */
  axes?: number | readonly number[];
  keepDims?: boolean;
}

function normaliseAxes(x: Tensor, axes: ReduceOptions['axes']): number[] {
  const list = axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  const out = [...new Set(list.map((a) => (a < 0 ? a + x.rank : a)))].sort((a, b) => a - b);
  for (const a of out) if (a < 0 || a >= x.rank) throw new Error(`reduce: axis out of range for ${shapeString(x.shape)}`);
  return out;
}

/** Reduces axes [first, last] (a contiguous run) of x; the result keeps them as size-1 axes. */
function reduceRun(combine: Combine, x: Tensor, first: number, last: number): Tensor {
  const rt = runtime();
  const outer = sizeOf(x.shape.slice(0, first));
  const r = sizeOf(x.shape.slice(first, last + 1));
  const inner = sizeOf(x.shape.slice(last + 1));
  const outShape = x.shape.map((d, i) => (i >= first && i <= last ? 1 : d));
  const y = Tensor.empty(outShape, `reduce.${combine}`);
  const index = combine === 'sum' ? null : Tensor.empty(outShape, 'reduce.index');
  if (y.size) {
    if (r === 0) throw new Error(`reduce.${combine}: cannot reduce an empty axis of ${shapeString(x.shape)}`);
    const form = formFor(combine, y.size, r);
    const perGroup = form !== 'thread';
    const splitRows = form === 'split';
    if (combine === 'sum' && (splitRows || (!perGroup && r > 2 * CHUNK))) {
      // two levels: sums of runs of `chunk`, [outer, chunks, inner], then their sum (by a tree
      // when the rows were split for a GPU, else a loop per output)
      const chunk = splitRows ? TREE_CHUNK : CHUNK;
      const chunks = Math.ceil(r / chunk);
      const partial = Tensor.empty([outer, chunks, inner], 'reduce.partial');
      rt.dispatch(reduceKernel('sum', 'per_chunk'), {
        inputs: [x], outputs: [partial, rt.unusedOutput], params: new Params().u32(partial.size).u32(r).u32(inner).u32(chunk),
        workgroups: rt.grid1d(partial.size, 256),
      });
      rt.dispatch(reduceKernel('sum', splitRows ? 'main' : 'per_thread'), {
        inputs: [partial], outputs: [y, rt.unusedOutput], params: new Params().u32(y.size).u32(chunks).u32(inner).u32(chunk),
        workgroups: rt.grid1d(y.size, splitRows ? 1 : 256),
      });
      partial.dispose();
    } else {
      rt.dispatch(reduceKernel(combine, perGroup ? 'main' : 'per_thread'), {
        inputs: [x], outputs: [y, index ?? rt.unusedOutput], params: new Params().u32(y.size).u32(r).u32(inner).u32(CHUNK),
        workgroups: rt.grid1d(y.size, perGroup ? 1 : 256),
      });
    }
  }
  return record(y, combine, [x], (g) => {
    if (!index) return [broadcastTo(g, x.shape)];
    const dx = zeros(x.shape);
    rt.dispatch(SCATTER, { inputs: [g, index], outputs: [dx], params: new Params().u32(y.size).u32(r).u32(inner), workgroups: rt.grid1d(y.size, 256) });
    return [dx];
  });
}

function reduce(combine: Combine, x: Tensor, options: ReduceOptions): Tensor {
  const axes = normaliseAxes(x, options.axes);
  let y = x;
  // Contiguous runs of axes, reduced from the last run back so earlier axis numbers stay valid.
  const runs: [number, number][] = [];
  for (const a of axes) {
    const run = runs[runs.length - 1];
    if (run && run[1] === a - 1) run[1] = a;
    else runs.push([a, a]);
  }
  for (const [first, last] of runs.reverse()) y = reduceRun(combine, y, first, last);
  if (axes.length === 0) y = reshape(x, x.shape);
  return options.keepDims ? y : reshape(y, x.shape.filter((_, i) => !axes.includes(i)));
}

export const sum = (x: Tensor, options: ReduceOptions = {}) => reduce('sum', x, options);
export const max = (x: Tensor, options: ReduceOptions = {}) => reduce('max', x, options);
export const min = (x: Tensor, options: ReduceOptions = {}) => reduce('min', x, options);

export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normaliseAxes(x, options.axes);
  const count = sizeOf(axes.map((a) => x.shape[a]));
  return mulScalar(sum(x, options), 1 / count);
}

/** Stretches x to `shape` by NumPy broadcasting (a copy); its gradient is sumToShape. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const y = Tensor.empty(shape, 'broadcast');
  stridedCopy(x, y, shape, broadcastStrides(x.shape, shape), 0, y.strides, 0);
  return record(y, 'broadcastTo', [x], (g) => [sumToShape(g, x.shape)]);
}

/** Sums a gradient of a broadcast result back to the shape of the input that was stretched. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.rank === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes = g.shape.map((_, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1));
  const summed = axes.length ? sum(g, { axes, keepDims: true }) : g;
  return reshape(summed, shape);
}

/**
 * Reductions (sum, mean, max, min over any axes) and the two broadcast helpers that autodiff
 * is built on: broadcastTo (forward of a stretch) and sumToShape (its gradient — the one place
 * where broadcast gradients are summed back to an input's shape).
 * Kernels: shaders/reduce.wgsl, reduce_backward.wgsl, reduce_pair.wgsl, reduce_groups.wgsl. Float64
 * reference: src/reference/reduce.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor, shapeString, sizeOf, type Shape } from '../tensor/tensor.ts';
import { blockLayout, chunkKernels, chunkPass } from './group_chunks.ts';
import { broadcastStrides, reshape, stridedCopy } from './shape.ts';
import { mulScalar } from './unary.ts';

type Combine = 'sum' | 'max' | 'min';
const KIND: Record<Combine, number> = { sum: 0, max: 1, min: 2 };
const reduceKernels = new Map<string, Kernel>();
/** thread: an invocation per output; workgroup: a workgroup per output (a tree); split and runs: sums in two or more levels. */
type Form = 'thread' | 'workgroup' | 'split' | 'runs';
type Entry = 'main' | 'per_thread' | 'per_chunk';
function reduceKernel(c: Combine, form: Entry): Kernel {
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
 * only for few outputs with rows past a few dozen (a loss, a norm), and only on a real GPU:
 * SwiftShader runs a workgroup on one CPU thread and switches fibres at every barrier of the
 * tree, which made sum over [1, 64, 32, 32]'s planes 30× slower than one invocation per output
 * looping over its row.
 * Sums over rows of SPLIT_ROWS or more split them first (see TREE_CHUNK); on a GPU, sums with
 * many outputs go in short runs, level after level (see GPU_RUN).
 */
function formFor(combine: Combine, outputs: number, r: number): Form {
  const forced = reductionForm.force;
  if (forced) return forced === 'runs' && combine !== 'sum' ? 'thread' : forced;
  const gpu = runtime().tuning === 'gpu';
  // few outputs: a workgroup each, so that a loss's sum of partials is one dispatch, and so are a
  // SIREN layer's bias (256 sums of its 16-row partials) and its thin weight-gradient planes
  if (gpu && outputs <= FEW_OUTPUTS && r > GPU_RUN) return combine === 'sum' && r >= SPLIT_ROWS ? 'split' : 'workgroup';
  return gpu && combine === 'sum' && r > GPU_RUN ? 'runs' : 'thread';
}

/**
 * Up to this many outputs a GPU reduction takes a workgroup per output (a tree). With fewer than
 * 256, a SIREN's bias sums (256 outputs) took two dispatches in runs, at ~10 µs each on an H100.
 */
const FEW_OUTPUTS = 512;

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

/**
 * The same latency with a thread per output: a SIREN bias gradient (256 sums over 16,384
 * points) in runs of CHUNK was 16,384 threads each waiting on 256 loads in turn, ~80 µs on an
 * H200 for 16 MB. On GPUs such sums go in runs of GPU_RUN, a thread each, and the run sums are
 * summed the same way until a row is GPU_RUN long: 16,384 → 512 → 16, three dispatches.
 */
const GPU_RUN = 32;

/** Forces one of the reduction forms regardless of adapter and shape (tests check each; 'runs' is for sums). */
export const reductionForm: { force: Form | null } = { force: null };
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
    if (combine === 'sum') sumRows(x, outer, r, inner, y);
    else dispatchReduce(combine, formFor(combine, y.size, r) === 'thread' ? 'per_thread' : 'main', x, y, index, r, inner);
  }
  return record(y, combine, [x], (g) => {
    if (!index) return [broadcastTo(g, x.shape)];
    const dx = zeros(x.shape);
    rt.dispatch(SCATTER, { inputs: [g, index], outputs: [dx], params: new Params().u32(y.size).u32(r).u32(inner), workgroups: rt.grid1d(y.size, 256) });
    return [dx];
  });
}

/** One pass of reduce.wgsl: y[o] from x viewed as [outer, r, inner]; `main` runs a workgroup per output. */
function dispatchReduce(combine: Combine, entry: 'main' | 'per_thread', x: Tensor, y: Tensor, index: Tensor | null, r: number, inner: number): void {
  const rt = runtime();
  rt.dispatch(reduceKernel(combine, entry), {
    inputs: [x], outputs: [y, index ?? rt.unusedOutput], params: new Params().u32(y.size).u32(r).u32(inner).u32(CHUNK),
    workgroups: rt.grid1d(y.size, entry === 'main' ? 1 : 256),
  });
}

/**
 * y = the sums of x viewed as [outer, r, inner] over r, in one level or several: sums of runs of
 * `chunk`, [outer, ceil(r / chunk), inner], then their sum (by the tree when the rows were split
 * for a GPU, by more runs in the `runs` form, else by a loop per output).
 */
function sumRows(x: Tensor, outer: number, r: number, inner: number, y: Tensor): void {
  const rt = runtime();
  const form = formFor('sum', y.size, r);
  const levels = form === 'split' || (form === 'runs' && r > GPU_RUN) || (form === 'thread' && r > 2 * CHUNK);
  if (!levels) {
    dispatchReduce('sum', form === 'workgroup' ? 'main' : 'per_thread', x, y, null, r, inner);
    return;
  }
  const chunk = form === 'split' ? TREE_CHUNK : form === 'runs' ? GPU_RUN : CHUNK;
  const chunks = Math.ceil(r / chunk);
  const partial = Tensor.empty([outer, chunks, inner], 'reduce.partial');
  rt.dispatch(reduceKernel('sum', 'per_chunk'), {
    inputs: [x], outputs: [partial, rt.unusedOutput], params: new Params().u32(partial.size).u32(r).u32(inner).u32(chunk),
    workgroups: rt.grid1d(partial.size, 256),
  });
  if (form === 'runs') sumRows(partial, outer, chunks, inner, y);
  else dispatchReduce('sum', form === 'split' ? 'main' : 'per_thread', partial, y, null, chunks, inner);
  partial.dispose();
}

const GROUP_SUMS = chunkKernels('reduce.groups', 'reduce_groups.wgsl', 1);

/**
 * When the kept axes are one block with reduced axes on both sides (a bias gradient, Σ over N, H
 * and W of [N, C, H, W]): x as [outer, kept, inner], else null.
 */
function aroundBlock(shape: Shape, axes: readonly number[]): { outer: number; kept: number; inner: number } | null {
  const keptAxes = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  if (!keptAxes.length) return null;
  const [first, last] = [keptAxes[0], keptAxes[keptAxes.length - 1]];
  if (first === 0 || last === shape.length - 1 || last - first + 1 !== keptAxes.length) return null;
  return { outer: sizeOf(shape.slice(0, first)), kept: sizeOf(shape.slice(first, last + 1)), inner: sizeOf(shape.slice(last + 1)) };
}

/**
 * Σ of x [outer, kept, inner] over outer and inner in one pass over x (reduce_groups.wgsl: each
 * kept index is a group of `outer` runs of `inner` values, read in place, in chunks), then the
 * chunks' sum; keepDims shape. Reduced as two runs of axes, a bias gradient at 2×128² took
 * three passes (the planes' sums in two levels, then the samples'); here it takes two.
 */
function sumAroundBlock(x: Tensor, { outer, kept, inner }: { outer: number; kept: number; inner: number }, keptShape: Shape): Tensor {
  const rt = runtime();
  const pass = chunkPass(blockLayout(outer, kept, inner));
  const partials = Tensor.empty([pass.chunks, kept], 'reduce.group_partials');
  rt.dispatch(GROUP_SUMS[rt.tuning], { inputs: [x], outputs: [partials], params: pass.params(), workgroups: pass.workgroups });
  const summed = sumLeading(partials); // [kept]; a view of the partials when there is one chunk
  const y = reshape(summed, keptShape); // a view: it keeps the buffer
  partials.dispose();
  if (summed !== partials) summed.dispose();
  return record(y, 'sum', [x], (g) => [broadcastTo(g, x.shape)]);
}

function reduce(combine: Combine, x: Tensor, options: ReduceOptions): Tensor {
  const axes = normaliseAxes(x, options.axes);
  const block = combine === 'sum' && x.size > 0 ? aroundBlock(x.shape, axes) : null;
  if (block) {
    const y = sumAroundBlock(x, block, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    return options.keepDims ? y : reshape(y, x.shape.filter((_, i) => !axes.includes(i)));
  }
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

/** invocations of a pair_sums.wgsl workgroup, and so the most columns one covers */
const PAIR_THREADS = 256;
/** Columns a workgroup covers at the least when its columns are long: 32 bytes of a row, a GPU's memory sector. */
const PAIR_MIN_LANES = 8;
/**
 * Loads an invocation should make at most, where fewer columns a workgroup allow it: a column's
 * loads run one after the other, so a long column in few workgroups (a 128² SIREN's db, 256 rows
 * of partial sums over 8 workgroups of 32 loads) trails the rest of the pass. With 32 workgroups
 * of 8 loads, that step's paired sums went from 0.6–2.4% slower than two passes to even
 * (bench/RESULTS.md, session 12).
 */
const PAIR_TARGET_LOADS = 8;
/** The most loads an invocation of reduce_pair.wgsl makes in turn: longer sums go in levels (`sum`). */
const PAIR_MAX_LOADS = 32;

/** Σ over the first axis of x [r, ...]: one row is its own sum, no rows sum to zeros. */
export function sumLeading(x: Tensor): Tensor {
  if (x.rank < 1) throw new Error(`sumLeading: ${shapeString(x.shape)} has no leading axis`);
  if (x.shape[0] === 0) return zeros(x.shape.slice(1));
  return x.shape[0] === 1 ? reshape(x, x.shape.slice(1)) : sum(x, { axes: 0 });
}

/**
 * A matrix [rows, cols] as pair_sums.wgsl covers it: `lanes` columns a workgroup and the rest of
 * its invocations down them. As many lanes as keep an invocation's loads at PAIR_TARGET_LOADS:
 * a column to an invocation, with no tree, for short columns (a dW's 4 K slices: 256 workgroups
 * of 4 loads, where 32 lanes made 2,048 workgroups of one load and a tree), down to 8 for long
 * ones, fewer for a narrower matrix.
 */
function pairLayout(x: Tensor): { rows: number; cols: number; lanes: number; groups: number; loads: number } {
  const rows = x.shape[0];
  const cols = sizeOf(x.shape.slice(1));
  const loads = (lanes: number) => Math.ceil(rows / (PAIR_THREADS / lanes));
  let lanes = Math.min(PAIR_THREADS, 2 ** Math.ceil(Math.log2(Math.max(cols, 1))));
  while (lanes > PAIR_MIN_LANES && loads(lanes) > PAIR_TARGET_LOADS) lanes /= 2;
  return { rows, cols, lanes, groups: Math.ceil(cols / lanes), loads: loads(lanes) };
}

/**
 * pair_sums.wgsl's params, in the order of its includers' structs: a pair's first matrix's rows,
 * columns, lanes and groups, its second's rows, columns and lanes; then the second pair's first
 * group, and its fields likewise (0 where there is no second pair).
 */
const PAIR_FIELD_NAMES = ['rows_a', 'cols_a', 'lanes_a', 'groups_a', 'rows_b', 'cols_b', 'lanes_b',
  'first_c', 'rows_c', 'cols_c', 'lanes_c', 'groups_c', 'rows_d', 'cols_d', 'lanes_d'] as const;
/** the fields of one pair: the rest are the second pair's */
const ONE_PAIR_FIELDS = 7;
/** The params struct's members for pair_sums.wgsl, as WGSL (the PAIR_FIELDS snippet). */
export const PAIR_FIELDS_WGSL = PAIR_FIELD_NAMES.map((name) => `  ${name}: u32,`).join('\n');
/** PAIR_FIELDS' values where no sums run (a SIREN product without a companion) */
export const PAIR_FIELDS_UNUSED: readonly number[] = PAIR_FIELD_NAMES.map(() => 0);

/** The storage buffers pair_sums.wgsl binds for `pairs` pairs, in binding order: reads, then writes. */
export function pairBuffers(pairs: 1 | 2): { reads: string[]; writes: string[] } {
  const second = pairs === 2;
  return {
    reads: ['PAIR_A', 'PAIR_B', ...(second ? ['PAIR_C', 'PAIR_D'] : [])],
    writes: ['PAIR_SA', 'PAIR_SB', ...(second ? ['PAIR_SC', 'PAIR_SD'] : [])],
  };
}

/**
 * The WGSL declarations of pairBuffers' buffers, each by `declare` (its includer numbers the
 * bindings), and, for one pair, the second pair's as private stubs its code never reaches.
 */
export function pairDeclarations(pairs: 1 | 2, declare: (buffer: string, access: 'read' | 'read_write') => string): string {
  const { reads, writes } = pairBuffers(pairs);
  const stubs = pairs === 2 ? [] : ['PAIR_C', 'PAIR_D', 'PAIR_SC', 'PAIR_SD'].map((name) => `var<private> ${name}: array<f32, 1>;`);
  return [...reads.map((name) => declare(name, 'read')), ...writes.map((name) => declare(name, 'read_write')), ...stubs].join('\n');
}

/**
 * How pair_sums.wgsl sums a [ra, ...] and b [rb, ...] over their first axis: the sums to fill,
 * the buffers to bind (longer loops first, so that their workgroups start at once instead of
 * trailing the other's: a 64² SIREN's db, 16 workgroups of 8 loads, ahead of its dW slices'
 * 256 of 4), the params fields and the workgroups. Null when either sum is longer than one pass does
 * well (PAIR_MAX_LOADS). Two pairs join into one plan (joinPairSums). Also run beside a SIREN
 * layer's product (src/ops/siren_mlp_backward.ts).
 */
export interface PairSums {
  /** Σ over the first axis of a and of b, then of c and d when two pairs joined */
  sums: Tensor[];
  /** what the kernel binds: PAIR_A, PAIR_B (PAIR_C, PAIR_D), then PAIR_SA, PAIR_SB (PAIR_SC, PAIR_SD) */
  inputs: Tensor[];
  outputs: Tensor[];
  /** the values of PAIR_FIELD_NAMES */
  fields: number[];
  groups: number;
  pairs: 1 | 2;
}

export function pairSums(a: Tensor, b: Tensor): PairSums | null {
  if (a.rank < 1 || b.rank < 1) throw new Error(`pairSums: ${shapeString(a.shape)} and ${shapeString(b.shape)} need a leading axis`);
  const [la, lb] = [pairLayout(a), pairLayout(b)];
  if (la.loads > PAIR_MAX_LOADS || lb.loads > PAIR_MAX_LOADS) return null;
  const sa = Tensor.empty(a.shape.slice(1), 'reduce.sum_pair');
  const sb = Tensor.empty(b.shape.slice(1), 'reduce.sum_pair');
  const [first, second] = lb.loads > la.loads ? [{ x: b, s: sb, l: lb }, { x: a, s: sa, l: la }] : [{ x: a, s: sa, l: la }, { x: b, s: sb, l: lb }];
  const fields = [first.l.rows, first.l.cols, first.l.lanes, first.l.groups, second.l.rows, second.l.cols, second.l.lanes];
  return {
    sums: [sa, sb], inputs: [first.x, second.x], outputs: [first.s, second.s],
    fields: [...fields, ...PAIR_FIELDS_UNUSED.slice(ONE_PAIR_FIELDS)],
    groups: first.l.groups + second.l.groups, pairs: 1,
  };
}

/** Two one-pair plans as one: p's groups first, then q's (a pass, or a companion, fewer). */
export function joinPairSums(p: PairSums, q: PairSums): PairSums {
  if (p.pairs !== 1 || q.pairs !== 1) throw new Error('joinPairSums: two plans of one pair each');
  return {
    sums: [...p.sums, ...q.sums], inputs: [...p.inputs, ...q.inputs], outputs: [...p.outputs, ...q.outputs],
    fields: [...p.fields.slice(0, ONE_PAIR_FIELDS), p.groups, ...q.fields.slice(0, ONE_PAIR_FIELDS)],
    groups: p.groups + q.groups, pairs: 2,
  };
}

const sumPairKernels = new Map<number, Kernel>();
/** reduce_pair.wgsl for one pair or two */
function sumPairKernel(pairs: 1 | 2): Kernel {
  let k = sumPairKernels.get(pairs);
  if (!k) {
    const { reads, writes } = pairBuffers(pairs);
    const bound = [...reads, ...writes];
    const declarations = pairDeclarations(pairs, (name, access) => `@group(0) @binding(${bound.indexOf(name)}) var<storage, ${access}> ${name}: array<f32>;`);
    k = {
      name: pairs === 1 ? 'reduce.sum_pair' : 'reduce.sum_pairs', file: 'reduce_pair.wgsl', inputs: reads.length, outputs: writes.length, uniform: true,
      snippets: { PAIRS: String(pairs), PAIR_FIELDS: PAIR_FIELDS_WGSL, PAIR_DECLARATIONS: declarations, PARAMS_BINDING: String(bound.length) },
    };
    sumPairKernels.set(pairs, k);
  }
  return k;
}

/** Runs a plan's sums in a pass of their own (reduce_pair.wgsl) and returns them. */
export function runPairSums(plan: PairSums): Tensor[] {
  if (plan.sums.some((t) => t.size)) { // a sum of no rows is zeros: the kernel's loop runs no times
    const rt = runtime();
    rt.dispatch(sumPairKernel(plan.pairs), {
      inputs: plan.inputs, outputs: plan.outputs, params: plan.fields.reduce((p, v) => p.u32(v), new Params()),
      workgroups: rt.grid1d(plan.groups, 1),
    });
  }
  return plan.sums;
}

/**
 * sumLeading of a [ra, ...] and b [rb, ...] in one pass (reduce_pair.wgsl): for the two sums
 * that finish a layer's gradients (dW's K slices, db's partial sums), one dispatch where `sum`
 * takes two or three; each takes `sum` where pairSums declines. Not differentiable: it finishes
 * gradients inside backward rules.
 */
export function sumLeadingPair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  const plan = pairSums(a, b);
  if (!plan) return [sumLeading(a), sumLeading(b)];
  const [sa, sb] = runPairSums(plan);
  return [sa, sb];
}

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

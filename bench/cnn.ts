/**
 * CNN inference on the engine: (a) the peers' CNN workload (../shared/peers/common.mjs,
 * cnn_jax.mjs, cnn_tfjs.mjs, cnn_ort.mjs), so that bench/peers.ts can put the figures side by
 * side, and (b) DIDFuse inference (src/models/didfuse.ts) at image sizes.
 *
 * (a) The peers' CNN: input 1×1×H×W, conv3×3 1→64 + ReLU, 5 × [conv3×3 64→64 + ReLU],
 *     conv3×3 64→1; stride 1, zero padding 1, with bias; He-uniform weights from their seeded
 *     PRNG (`cnnParams(99)`, `cnnInput` seed 7), ported below (the engine's mulberry32 is
 *     common.mjs's, bit for bit), as `ops.conv2d(·, w, b, { padding: 1 })` + `ops.relu`.
 *     Before timing a size, its first frame is checked (a benchmark of a wrong answer is
 *     worthless; the suite throws when it disagrees): a few output pixels against a float64
 *     reference computed here on the CPU (each pixel's 15×15 receptive field), and the output
 *     mean and y[1000] against what every peer prints, where known (PEER_OUTPUT).
 *     Figures, frames/s (median of runs, each run waits for the GPU):
 *       - readback: every frame read back to the CPU (`await y.read()`), what the peers time;
 *         with wait 'backoff' (ours) and 'spin' (= dawn.node's default busy poll, the peers' wait);
 *       - GPU only: the frame is recorded, then `await rt.sync()`, no readback.
 *     GFLOP/s counts the convolutions' multiply-adds as the peers do (cnnFlops: 24.31 GFLOP per
 *     256² frame), and "of roofline" divides that by the adapter's matmul ceiling.
 * (b) DIDFuse (64 channels, two 1×H×W planes, rule 'sum') with its own seeded initialisation
 *     (`new DIDFuse().stateDict()`), so the bench does not depend on the shipped weights. The
 *     model is built from that state dict by `loadDidfuse` once and stays on the GPU; per frame:
 *       - upload + readback: both planes uploaded, fused, the result read back;
 *       - GPU only: resident planes, fused, `await rt.sync()`.
 *     The warm-up is one frame at 32² (the pipelines do not depend on the size) through the product
 *     API, `fuseDidfuse()` (weights loaded per call, strips), whose output must equal the resident
 *     model's; each size's first readback must lie in [0, 1] (sigmoid). GFLOP/s counts the 3×3
 *     convolutions (741,888 FLOP per pixel at width 64: the encoder twice, the decoder once).
 *
 * Sizes and runs (SwiftShader on 2 idle cores: a 64² CNN frame is ~1 s, a 128² DIDFuse frame ~15 s):
 *   quick: CNN 64² (3 runs × 1 frame per figure), DIDFuse 128² (1 frame per variant);
 *   full:  CNN 64² (3×2) and 256² (3×1), DIDFuse 256² (2×1) and 640×480 (2×1 or 1×1, or skipped,
 *          as the 256² figure says it fits BIG_DIDFUSE_BUDGET_SECONDS).
 * The warm-ups are the CNN's checked first frame per size and DIDFuse's 32² frame; measure()'s
 * own warm-up run is then skipped (timeFrames). Portable (no Node imports): suites.ts lists it for the Chrome bundle.
 */
import { mulberry32, noGrad, ops, tensor, tidy, type Runtime, type Tensor } from '../src/index.ts';
import { type LumaPlane, fuseDidfuse, loadDidfuse } from '../src/fusion/cnn.ts';
import type { TensorEntry } from '../src/io/safetensors.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { type BenchContext, type Result, type Suite, fmt, measure, planIterations, toResult } from './harness.ts';
import { type WaitStrategy, matmulCeiling } from './siren.ts';

const SUITE = 'cnn';

// ---------------------------------------------------------------------------------------------
// The peers' CNN, as ../shared/peers/common.mjs defines it

/** [Cin, Cout, ReLU after] per layer (common.mjs CNN_LAYERS) */
export const CNN_LAYERS: readonly (readonly [number, number, boolean])[] = [
  [1, 64, true], [64, 64, true], [64, 64, true], [64, 64, true], [64, 64, true], [64, 64, true], [64, 1, false],
];

export interface CnnLayer { w: Float32Array; b: Float32Array; cin: number; cout: number; relu: boolean }

/** common.mjs cnnParams: w OIHW [Cout, Cin, 3, 3] He-uniform, b U(±0.01), one generator in layer order. */
export function cnnParams(seed = 99): CnnLayer[] {
  const random = mulberry32(seed);
  return CNN_LAYERS.map(([cin, cout, relu]) => {
    const bound = Math.sqrt(6 / (cin * 9));
    const w = new Float32Array(cout * cin * 9);
    for (let i = 0; i < w.length; i++) w[i] = (2 * random() - 1) * bound;
    const b = new Float32Array(cout);
    for (let i = 0; i < cout; i++) b[i] = (2 * random() - 1) * 0.01;
    return { w, b, cin, cout, relu };
  });
}

/** common.mjs cnnInput: H×W values U[0, 1) from mulberry32(7), row-major. */
export function cnnInput(H: number, W: number): Float32Array {
  const x = new Float32Array(H * W);
  const random = mulberry32(7);
  for (let i = 0; i < x.length; i++) x[i] = random();
  return x;
}

/** FLOPs of one frame, counted as the peers count them (2·Cin·Cout·9 per output pixel and layer). */
export function cnnFlops(H: number, W: number): number {
  return CNN_LAYERS.reduce((s, [cin, cout]) => s + 2 * H * W * cin * cout * 9, 0);
}

/**
 * What every peer prints for the first frame (`output mean`, `y[1000]`), per size: 256² from the
 * peers' README (tfjs, jax-js, onnxruntime agree), 64² from cnn_jax.mjs and cnn_tfjs.mjs
 * (--device=webgpu / --backend=webgpu, 2026-11-25: both 1.13806 / 1.20170).
 */
export const PEER_OUTPUT: Readonly<Record<number, { mean: number; y1000: number }>> = {
  64: { mean: 1.13806, y1000: 1.20170 },
  256: { mean: 1.20482, y1000: 1.40954 },
};
/** relative tolerance of the output checks (fp32 through 7 layers; the peers print 6 digits) */
export const OUTPUT_TOLERANCE = 1e-4;

/**
 * Output pixel (i, j) of the CNN in float64: each layer computed only on the part of the
 * receptive field it needs (a (2r+1)² window for the layer r layers before the output), zero
 * padding outside the image.
 */
export function referencePixel(layers: readonly CnnLayer[], input: Float32Array, H: number, W: number, i: number, j: number): number {
  // the current feature map: channels × the window [top, top+h) × [left, left+w), clipped to the image
  let map = { top: 0, left: 0, h: H, w: W, c: 1, data: Float64Array.from(input) };
  for (let l = 0; l < layers.length; l++) {
    const { w: weights, b, cin, cout, relu } = layers[l];
    const r = layers.length - 1 - l;
    const top = Math.max(0, i - r);
    const left = Math.max(0, j - r);
    const h = Math.min(H, i + r + 1) - top;
    const w = Math.min(W, j + r + 1) - left;
    const out = new Float64Array(cout * h * w);
    const src = map;
    const at = (c: number, y: number, x: number): number => {
      if (y < 0 || y >= H || x < 0 || x >= W) return 0;
      return src.data[(c * src.h + (y - src.top)) * src.w + (x - src.left)];
    };
    for (let o = 0; o < cout; o++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let s = b[o];
          for (let c = 0; c < cin; c++) {
            for (let dy = 0; dy < 3; dy++) {
              for (let dx = 0; dx < 3; dx++) s += weights[((o * cin + c) * 3 + dy) * 3 + dx] * at(c, top + y + dy - 1, left + x + dx - 1);
            }
          }
          out[(o * h + y) * w + x] = relu ? Math.max(0, s) : s;
        }
      }
    }
    map = { top, left, h, w, c: cout, data: out };
  }
  return map.data[0];
}

/** The CNN on the engine at one size: weights and input resident, owned until dispose(). */
export class CnnWorkload {
  readonly layers: CnnLayer[];
  readonly input: Float32Array;
  private readonly params: { w: Tensor; b: Tensor; relu: boolean }[];
  private readonly x: Tensor;

  constructor(readonly size: number) {
    this.layers = cnnParams();
    this.input = cnnInput(size, size);
    this.params = this.layers.map((p, l) => ({
      w: tensor(p.w, [p.cout, p.cin, 3, 3], { label: `cnn.${l}.weight` }),
      b: tensor(p.b, [p.cout], { label: `cnn.${l}.bias` }),
      relu: p.relu,
    }));
    this.x = tensor(this.input, [1, 1, size, size], { label: 'cnn.input' });
  }

  /** Records one frame; returns y [1, 1, H, W], owned by the caller. */
  forward(): Tensor {
    return noGrad(() => tidy(() => {
      let h = this.x;
      for (const p of this.params) {
        h = ops.conv2d(h, p.w, p.b, { padding: 1 });
        if (p.relu) h = ops.relu(h);
      }
      return h;
    }));
  }

  dispose(): void {
    for (const p of this.params) { p.w.dispose(); p.b.dispose(); }
    this.x.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// DIDFuse

/** 3×3 convolution FLOPs of one DIDFuse frame at `width` channels: encoder on both planes, decoder once. */
export function didfuseFlops(H: number, W: number, width = 64): number {
  const encoder = 1 * width + 3 * width * width; // cov1 1→w, cov2..4 w→w
  const decoder = 2 * width * width * 2 + 2 * width; // cov5, cov6 2w→w, cov7 2w→1
  return 2 * 9 * H * W * (2 * encoder + decoder);
}

/** A deterministic plane of U[0, 1) values. */
function randomPlane(width: number, height: number, seed: number): LumaPlane {
  const random = mulberry32(seed);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = random();
  return { width, height, data };
}

// ---------------------------------------------------------------------------------------------
// Ceiling, timing helpers

/**
 * The matmul ceiling to divide by: the roofline suite's of this run, else in quick mode the newest
 * saved one (no time to measure it), else siren's matmulCeiling (measured once per process).
 */
export async function cnnCeiling(ctx: BenchContext, rt: Runtime): Promise<{ gflops: number; source: string } | null> {
  if (ctx.ceilings.matmulGflops && (ctx.ceilings.source === 'this run' || ctx.quick)) {
    return { gflops: ctx.ceilings.matmulGflops, source: ctx.ceilings.source === 'this run' ? 'roofline suite, this run' : `saved report ${ctx.ceilings.source}` };
  }
  return matmulCeiling(ctx, rt);
}

/**
 * measure() with `runs` runs of `iterations` frames; `warm`: the same pipelines already ran in this
 * process (the checked first frame, or a small-size frame), so measure()'s obligatory warm-up run
 * does no work (its one iteration is skipped) instead of costing another frame of seconds.
 */
function timeFrames(ctx: BenchContext, rt: Runtime, frame: () => unknown, runs: number, iterations: number, warm: boolean) {
  return measure(rt, ctx.host, (i) => (warm && i === 0 ? undefined : frame()), { warmup: 1, warmupIterations: 1, runs, iterations: planIterations(rt, iterations) });
}

function withRoofline(r: Result, flops: number, ceiling: { gflops: number; source: string } | null): Result {
  const gflops = (r.median * flops) / 1e9;
  r.extra.gflops = Number(gflops.toPrecision(4));
  r.extra.frameGflop = Number((flops / 1e9).toPrecision(4));
  if (ceiling) {
    r.roofline = gflops / ceiling.gflops;
    r.extra.ceilingGflops = ceiling.gflops;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// The peers' CNN: check and measurements (kept per process, so that bench/peers.ts reuses them)

export type CnnMode = 'readback' | 'gpu';

export interface CnnPlan { runs: number; framesPerRun: number }

/** Short plans: a 256² frame is ~10 s on SwiftShader (2 cores), 64² a sixteenth of that. */
export function cnnPlan(size: number, quick: boolean): CnnPlan {
  if (size <= 64) return { runs: 3, framesPerRun: quick ? 1 : 2 };
  return { runs: 3, framesPerRun: 1 };
}

export interface CnnCheck {
  size: number;
  mean: number;
  y1000: number;
  /** worst relative error of the reference pixels */
  worstPixel: number;
  /** ms of the first frame (pipeline compilation included) */
  firstFrameMs: number;
}

const checks = new Map<number, CnnCheck>();
const cnnFigures = new Map<string, Result>();
const workloads = new Map<number, CnnWorkload>();
let suiteRan = false;

/** Whether the cnn suite ran in this process (bench/peers.ts then runs the CNN peers). */
export function cnnSuiteRan(): boolean {
  return suiteRan;
}

const figureKey = (size: number, mode: CnnMode, wait: WaitStrategy): string => `${size}/${mode}/${wait}`;

export function cnnFigure(size: number, mode: CnnMode, wait: WaitStrategy): Result | undefined {
  return cnnFigures.get(figureKey(size, mode, wait));
}

function workloadFor(size: number): CnnWorkload {
  let w = workloads.get(size);
  if (!w) workloads.set(size, (w = new CnnWorkload(size)));
  return w;
}

/** Frees the resident CNN workloads (each measureCnn keeps its size's until then). */
export function disposeCnnWorkloads(): void {
  for (const w of workloads.values()) w.dispose();
  workloads.clear();
}

/**
 * The first frame at `size` (also its warm-up): reference pixels in float64, and the mean and
 * y[1000] against the peers' where known. Throws when they disagree.
 */
export async function checkCnn(ctx: BenchContext, size: number): Promise<CnnCheck> {
  const known = checks.get(size);
  if (known) return known;
  await ctx.runtime();
  const workload = workloadFor(size);
  const t0 = performance.now();
  const y = workload.forward();
  const values = await y.read();
  y.dispose();
  const firstFrameMs = performance.now() - t0;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  const H = size;
  const pixels: [number, number][] = [[0, 0], [Math.floor(1000 / H), 1000 % H], [H >> 1, H >> 1], [H - 1, H - 1]];
  const problems: string[] = [];
  let worstPixel = 0;
  for (const [i, j] of pixels) {
    const ref = referencePixel(workload.layers, workload.input, H, H, i, j);
    const got = values[i * H + j];
    const err = Math.abs(got - ref) / Math.max(1, Math.abs(ref));
    worstPixel = Math.max(worstPixel, Number.isFinite(err) ? err : Infinity);
    if (!(err <= OUTPUT_TOLERANCE)) problems.push(`y[${i},${j}] = ${got} vs float64 ${ref}`);
  }
  const peer = PEER_OUTPUT[size];
  if (peer) {
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
    if (!(rel(mean, peer.mean) <= OUTPUT_TOLERANCE)) problems.push(`output mean ${mean} vs the peers' ${peer.mean}`);
    if (!(rel(values[1000], peer.y1000) <= OUTPUT_TOLERANCE)) problems.push(`y[1000] ${values[1000]} vs the peers' ${peer.y1000}`);
  }
  const shown = `output mean ${mean.toPrecision(6)}, y[1000] ${values[1000].toPrecision(6)}`;
  if (problems.length) throw new Error(`cnn ${size}²: the first frame is wrong (${problems.join('; ')}); the timings would mean nothing`);
  ctx.log(`cnn: ${size}² first frame ${fmt(firstFrameMs)} ms, ${shown}, reference pixels within ${worstPixel.toExponential(1)}`);
  ctx.notes.push(`cnn ${size}²: first frame checked: ${shown}` +
    (peer ? ` (peers print ${peer.mean.toPrecision(6)} / ${peer.y1000.toPrecision(6)})` : ' (no peer figures recorded for this size)') +
    `; ${pixels.length} output pixels agree with a float64 reference within ${worstPixel.toExponential(1)} relative (tolerance ${OUTPUT_TOLERANCE})`);
  const check = { size, mean, y1000: values[1000], worstPixel, firstFrameMs };
  checks.set(size, check);
  return check;
}

/** Frames/s of the peers' CNN at one size, mode and wait strategy (reuses this process's figure). */
export async function measureCnn(ctx: BenchContext, size: number, mode: CnnMode, wait: WaitStrategy, plan = cnnPlan(size, ctx.quick)): Promise<Result> {
  const known = cnnFigures.get(figureKey(size, mode, wait));
  if (known) return known;
  const rt = await ctx.runtime();
  const check = await checkCnn(ctx, size); // the warm-up of this size
  const ceiling = await cnnCeiling(ctx, rt);
  const workload = workloadFor(size);
  ctx.log(`cnn: ${size}² ${mode === 'readback' ? 'readback per frame' : 'GPU only'}, wait ${wait}: ${plan.runs}×${plan.framesPerRun} frames`);
  const before = rt.waitStrategy;
  rt.waitStrategy = wait;
  try {
    const dispatches0 = rt.counters.dispatches;
    let frames = 0;
    const frame = mode === 'readback'
      ? async () => { const y = workload.forward(); await y.read(); y.dispose(); frames++; }
      : async () => { workload.forward().dispose(); await rt.sync(); frames++; };
    const timing = await timeFrames(ctx, rt, frame, plan.runs, plan.framesPerRun, true);
    const flops = cnnFlops(size, size);
    const result = withRoofline(toResult(timing, {
      suite: SUITE,
      name: `CNN 7×conv3×3 64ch ${size}² ${mode === 'readback' ? 'readback per frame' : 'GPU only, sync per frame'} (wait ${wait})`,
      work: { unit: 'FPS' },
      extra: {
        size, mode, wait, outputMean: Number(check.mean.toPrecision(6)), y1000: Number(check.y1000.toPrecision(6)),
        dispatchesPerFrame: frames ? Number(((rt.counters.dispatches - dispatches0) / frames).toFixed(1)) : null,
        firstFrameMs: Number(check.firstFrameMs.toFixed(0)),
      },
    }), flops, ceiling);
    cnnFigures.set(figureKey(size, mode, wait), result);
    return result;
  } finally {
    rt.waitStrategy = before;
  }
}

// ---------------------------------------------------------------------------------------------
// DIDFuse

interface DidfuseSize { width: number; height: number }
const label = (s: DidfuseSize): string => (s.width === s.height ? `${s.width}²` : `${s.width}×${s.height}`);

export const CNN_SIZES = { quick: [64], full: [64, 256] };
const DIDFUSE_SIZES: { quick: DidfuseSize[]; full: DidfuseSize[] } = {
  quick: [{ width: 64, height: 64 }],
  full: [{ width: 256, height: 256 }, { width: 640, height: 480 }],
};
/** DIDFuse's warm-up and API check run at this size (compiles every pipeline; cheap) */
const WARMUP_SIZE = 32;
/** the largest DIDFuse size runs only when the smaller one's figures say it fits this */
const BIG_DIDFUSE_BUDGET_SECONDS = 600;

/** Max |a − b| over two arrays of one length. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** One DIDFuse frame on the resident model: upload both planes, fuse, read back. */
async function fuseResident(model: DIDFuse, ir: LumaPlane, vis: LumaPlane): Promise<Float32Array> {
  const out = noGrad(() => tidy(() => model.fuse(
    tensor(ir.data, [1, 1, ir.height, ir.width]), tensor(vis.data, [1, 1, vis.height, vis.width]), 'sum')));
  try {
    return await out.read();
  } finally {
    out.dispose();
  }
}

async function didfuseResults(ctx: BenchContext): Promise<Result[]> {
  const rt = await ctx.runtime();
  const ceiling = await cnnCeiling(ctx, rt);
  const init = new DIDFuse(); // its own seeded initialisation: the bench needs no weights file
  const state = await init.stateDict();
  init.dispose();
  const tensors = new Map<string, TensorEntry>(Object.entries(state).map(([k, v]) => [k, { shape: v.shape, dtype: 'F32', data: v.data }]));
  const weights = { tensors, name: 'DIDFuse(seed 0) init' };
  const model = loadDidfuse(weights);
  const results: Result[] = [];
  const sizes = ctx.quick ? DIDFUSE_SIZES.quick : DIDFUSE_SIZES.full;
  try {
    // Warm-up and check at a small size (pipelines do not depend on the image size; a 128² frame
    // costs ~15 s here, a 32² one under 1 s): the product API, fuseDidfuse() (loads the weights
    // per call, runs in strips), must give what the resident model gives.
    {
      const ir = randomPlane(WARMUP_SIZE, WARMUP_SIZE, 11);
      const vis = randomPlane(WARMUP_SIZE, WARMUP_SIZE, 12);
      const t0 = performance.now();
      const api = await fuseDidfuse(ir, vis, { weights, rule: 'sum' });
      const apiMs = performance.now() - t0;
      const diff = maxDiff(api, await fuseResident(model, ir, vis));
      if (!(diff <= 1e-5)) throw new Error(`cnn: DIDFuse ${WARMUP_SIZE}²: the resident model and fuseDidfuse() differ by ${diff}`);
      ctx.log(`cnn: DIDFuse warm-up at ${WARMUP_SIZE}²: fuseDidfuse() ${fmt(apiMs)} ms (pipelines compiled), resident model equal within ${diff.toExponential(1)}`);
      ctx.notes.push(`cnn: DIDFuse warm-up at ${WARMUP_SIZE}² (the same pipelines as every size): fuseDidfuse() (weights loaded per call) and the resident model agree (max diff ${diff.toExponential(1)})`);
    }
    for (const [index, size] of sizes.entries()) {
      const { width, height } = size;
      const flops = didfuseFlops(height, width, model.width);
      // Quick: one frame per variant (a 128² frame is ~15 s here); full: 2 runs (a 256² frame is ~1 min), the big size 2 or 1 as its budget allows.
      let runs = ctx.quick ? 1 : 2;
      if (index > 0) {
        // Estimate from the smaller size's GPU-only figure (work grows with the pixels).
        const previous = results.find((r) => r.extra.mode === 'gpu');
        const perFrame = previous ? (width * height) / (previous.extra.pixels as number) / previous.median : Infinity;
        runs = [2, 1].find((n) => perFrame * 2 * n <= BIG_DIDFUSE_BUDGET_SECONDS) ?? 0;
        if (!runs) {
          ctx.notes.push(`cnn: DIDFuse ${label(size)} skipped: about ${fmt(perFrame * 2)} s for one frame of each variant on this adapter, over the ${BIG_DIDFUSE_BUDGET_SECONDS} s budget`);
          continue;
        }
      }
      const ir = randomPlane(width, height, 11);
      const vis = randomPlane(width, height, 12);
      const irGpu = tensor(ir.data, [1, 1, height, width], { label: 'didfuse.ir' });
      const visGpu = tensor(vis.data, [1, 1, height, width], { label: 'didfuse.vis' });
      try {
        let range: [number, number] | null = null;
        const readback = async (): Promise<void> => {
          const values = await fuseResident(model, ir, vis);
          if (!range) {
            range = [Infinity, -Infinity];
            for (const v of values) range = [Math.min(range[0], v), Math.max(range[1], v)];
            if (!(range[0] >= 0 && range[1] <= 1)) throw new Error(`cnn: DIDFuse ${label(size)} output outside [0, 1] (sigmoid): ${range[0]}…${range[1]}`);
          }
        };
        const gpuOnly = async (): Promise<void> => {
          noGrad(() => tidy(() => { model.fuse(irGpu, visGpu, 'sum'); }));
          await rt.sync();
        };
        const variants: { mode: 'readback' | 'gpu'; name: string; frame: () => Promise<void> }[] = [
          { mode: 'readback', name: 'upload + readback per frame', frame: readback },
          { mode: 'gpu', name: 'GPU only, resident planes, sync per frame', frame: gpuOnly },
        ];
        for (const v of variants) {
          ctx.log(`cnn: DIDFuse ${label(size)} ${v.name}: ${runs}×1 frames`);
          const dispatches0 = rt.counters.dispatches;
          const timing = await timeFrames(ctx, rt, v.frame, runs, 1, true);
          const shownRange = range as [number, number] | null;
          results.push(withRoofline(toResult(timing, {
            suite: SUITE,
            name: `DIDFuse 64ch ${label(size)} ${v.name}`,
            work: { unit: 'FPS' },
            extra: {
              width, height, pixels: width * height, mode: v.mode, rule: 'sum', wait: rt.waitStrategy,
              dispatchesPerFrame: Number(((rt.counters.dispatches - dispatches0) / runs).toFixed(1)),
              ...(v.mode === 'readback' && shownRange ? { outputMin: Number(shownRange[0].toPrecision(4)), outputMax: Number(shownRange[1].toPrecision(4)) } : {}),
              warmup: `fuseDidfuse() at ${WARMUP_SIZE}² (same pipelines)`,
            },
          }), flops, ceiling));
        }
      } finally {
        irGpu.dispose();
        visGpu.dispose();
      }
    }
  } finally {
    model.dispose();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------

export const cnn: Suite = {
  name: SUITE,
  description: "CNN inference: the peers' 7-layer 64-channel conv net (checked output; FPS with readback per frame, wait backoff and spin, and GPU only) at 64² (and 256²), and DIDFuse at 128² (quick) or 256² and 640×480: FPS, GFLOP/s, fraction of the matmul ceiling",
  async run(ctx) {
    suiteRan = true;
    const results: Result[] = [];
    const rt = await ctx.runtime();
    try {
      for (const size of ctx.quick ? CNN_SIZES.quick : CNN_SIZES.full) {
        await checkCnn(ctx, size);
        results.push(await measureCnn(ctx, size, 'readback', 'backoff'));
        results.push(await measureCnn(ctx, size, 'readback', 'spin'));
        results.push(await measureCnn(ctx, size, 'gpu', 'backoff'));
      }
    } finally {
      disposeCnnWorkloads();
    }
    results.push(...await didfuseResults(ctx));
    const ceiling = await cnnCeiling(ctx, rt);
    if (ceiling) ctx.notes.push(`cnn: "of roofline" = conv GFLOP/s (multiply-adds ×2 of the 3×3 convolutions) over the matmul ceiling ${fmt(ceiling.gflops)} GFLOP/s (${ceiling.source})`);
    return results;
  },
};

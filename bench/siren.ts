/**
 * SIREN 5×256 training step, the peers' workload (../shared/peers/common.mjs, siren_jax.mjs,
 * siren_tfjs.mjs) on the engine, so that bench/peers.ts can put the figures side by side:
 *   N = H·W points (x, y) ∈ [−1, 1]; 2→256→256→256→256→1, sin(30z) after the first four;
 *   loss = MSE(u, t) + MSE(Sx u, Sx t) + MSE(Sy u, Sy t), u the output as H×W, Sobel 3×3
 *   cross-correlation, zero padding, unnormalised; Adam lr 1e-3, β (0.9, 0.999), ε 1e-8.
 * The same seeded initial weights as every peer, so the first losses must agree with theirs
 * (0.71583, 1.1531, … at 64²): the suite checks them before timing anything (a benchmark of a
 * wrong answer is worthless) and throws when they do not agree.
 * Figures: it/s with each wait strategy (median of runs of k steps, each run waits for the GPU),
 * GFLOP/s counted as the peers count (matmuls only, 1,183,232·N per step) and that as a fraction
 * of the adapter's matmul ceiling. Steps are replayed from a recording of the first
 * (Runtime.capture), as jax-js runs its jit-compiled step and as fitInrFuse fits; the eager
 * step, which runs its JavaScript every time, is timed beside it with wait backoff.
 */
import { ReplayedStep, backward, mulberry32, noGrad, ops, optim, tensor, tidy, type Runtime, type Tensor } from '../src/index.ts';
import { slicedK } from '../src/ops/matmul_kernel.ts';
import { type BenchContext, type Result, type Suite, fmt, measure, planIterations, toResult } from './harness.ts';
import { MATMUL_TOLERANCE, benchPipeline, bindGroup, matmulError, randomMatrix, storageBuffer, submitDispatches } from './gpu-util.ts';
import { MATMUL_VARIANTS, matmulTile, matmulWgsl } from './kernels.ts';

const SUITE = 'siren';
export type WaitStrategy = Runtime['waitStrategy'];

// ---------------------------------------------------------------------------------------------
// The workload, as ../shared/peers/common.mjs defines it (ported, so the suite needs no peer files)

export const OMEGA = 30;
const HIDDEN = 256;
/** [fan_in, fan_out] per layer */
const LAYERS: [number, number][] = [[2, HIDDEN], [HIDDEN, HIDDEN], [HIDDEN, HIDDEN], [HIDDEN, HIDDEN], [HIDDEN, 1]];
export const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1]; // row-major 3×3, [dy][dx]
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
const SEED = 1234;

/** SIREN init in the peers' layout: W row-major [in][out] (used as X·W), b [out]; the engine's mulberry32 is common.mjs's, bit for bit. */
function peerParams(seed = SEED): { w: Float32Array; b: Float32Array; fanIn: number; fanOut: number }[] {
  const random = mulberry32(seed);
  return LAYERS.map(([fanIn, fanOut], l) => {
    const wBound = l === 0 ? 1 / fanIn : Math.sqrt(6 / fanIn) / OMEGA;
    const bBound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * random() - 1) * wBound;
    const b = new Float32Array(fanOut);
    for (let i = 0; i < fanOut; i++) b[i] = (2 * random() - 1) * bBound;
    return { w, b, fanIn, fanOut };
  });
}

/** [in][out] → [out][in]: the engine's layers take PyTorch's W [out, in] (y = x·Wᵀ + b). */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/** (x, y) per pixel, row-major; x along columns. */
function coords(H: number, W: number): Float32Array {
  const out = new Float32Array(H * W * 2);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const p = i * W + j;
      out[2 * p] = W > 1 ? -1 + (2 * j) / (W - 1) : 0;
      out[2 * p + 1] = H > 1 ? -1 + (2 * i) / (H - 1) : 0;
    }
  }
  return out;
}

/** The peers' synthetic target image (common.mjs targetImage), H×W row-major. */
function targetImage(H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const x = W > 1 ? -1 + (2 * j) / (W - 1) : 0;
      const y = H > 1 ? -1 + (2 * i) / (H - 1) : 0;
      out[i * W + j] = 0.5 + 0.25 * Math.sin(4 * Math.PI * x) * Math.cos(3 * Math.PI * y)
        + 0.25 * Math.exp(-((x - 0.3) ** 2 + (y + 0.2) ** 2) / 0.05)
        - 0.2 * (Math.abs(x + 0.4) < 0.1 && Math.abs(y - 0.4) < 0.3 ? 1 : 0);
    }
  }
  return out;
}

/** 3×3 cross-correlation, zero padding ('same'): the peers compute the target's gradients on the CPU. */
function conv3x3(image: Float32Array, H: number, W: number, k: readonly number[]): Float32Array {
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let s = 0;
      for (let di = -1; di <= 1; di++) {
        for (let dj = -1; dj <= 1; dj++) {
          const ii = i + di;
          const jj = j + dj;
          if (ii >= 0 && ii < H && jj >= 0 && jj < W) s += k[(di + 1) * 3 + dj + 1] * image[ii * W + jj];
        }
      }
      out[i * W + j] = s;
    }
  }
  return out;
}

/** Matmul FLOPs of one step, counted as the peers count them: forward, dW of every layer, dX of all but the first (1,183,232·N). */
export function sirenFlops(points: number): number {
  return LAYERS.reduce((s, [i, o], l) => s + 2 * points * i * o * (l === 0 ? 2 : 3), 0);
}

// ---------------------------------------------------------------------------------------------
// The check: the first losses at 64² must be the peers'

/** The peers' first five losses at 64² (peers README: [lowest, highest] over tfjs and jax-js backends). */
export const PEER_LOSSES_64: readonly [number, number][] = [
  [0.71583, 0.71583], [1.1531, 1.1531], [0.9055, 0.9059], [0.746, 0.748], [0.514, 0.516],
];
/** relative distance allowed outside the peers' range (sin(30z) amplifies fp32 rounding by step 4) */
export const LOSS_TOLERANCE = 1e-3;

/** Relative distance of `value` from the interval [lo, hi] (0 inside). */
export function distanceFromRange(value: number, [lo, hi]: readonly [number, number]): number {
  if (!Number.isFinite(value)) return Infinity;
  if (value < lo) return (lo - value) / lo;
  if (value > hi) return (value - hi) / hi;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The model on the engine

/** One SIREN fit on an H×W grid: parameters, data and the optimiser, owned until dispose(). */
export class SirenWorkload {
  readonly points: number;
  readonly params: Tensor[];
  private readonly x: Tensor;
  private readonly target: Tensor;
  private readonly targetGradients: Tensor;
  private readonly adam: optim.Adam;
  private readonly replayed = new ReplayedStep(() => this.step());

  constructor(readonly size: number) {
    const H = size;
    const W = size;
    this.points = H * W;
    this.params = peerParams().flatMap((p, l) => [
      tensor(transposed(p.w, p.fanIn, p.fanOut), [p.fanOut, p.fanIn], { requiresGrad: true, label: `siren.${l}.weight` }),
      tensor(p.b, [p.fanOut], { requiresGrad: true, label: `siren.${l}.bias` }),
    ]);
    this.x = tensor(coords(H, W), [this.points, 2], { label: 'siren.coords' });
    const image = targetImage(H, W);
    this.target = tensor(image, [H, W], { label: 'siren.target' });
    const gradients = new Float32Array(2 * this.points); // [2, H, W]: Sobel-x, then Sobel-y (ops.sobel's layout)
    gradients.set(conv3x3(image, H, W, SOBEL_X), 0);
    gradients.set(conv3x3(image, H, W, SOBEL_Y), this.points);
    this.targetGradients = tensor(gradients, [2, H, W], { label: 'siren.target_gradients' });
    this.adam = new optim.Adam(this.params, ADAM);
  }

  /** coords → u [N, 1]: the SIREN op INRFuse uses (ops.sirenMlp) */
  forward(): Tensor {
    const layers = LAYERS.map((_, l) => ({ weight: this.params[2 * l], bias: this.params[2 * l + 1] }));
    return ops.sirenMlp(this.x, layers, OMEGA);
  }

  loss(): Tensor {
    const u = this.forward().reshape([this.size, this.size]);
    // mse(u, target) + mse over both gradient channels, (MSE_x + MSE_y)/2: ×2 gives the peers'
    // sum of the two; one fused op, as INRFuse's loss
    return ops.fidelityLoss(u, {
      intensity: [[this.target, 1]], gradient: [[this.targetGradients, 2]], sobel: { border: 'zero', normalise: false },
    });
  }

  /** Records one training step (no readback); returns the loss, owned by the caller. */
  step(): Tensor {
    return tidy(() => {
      this.adam.zeroGrad();
      const l = this.loss();
      backward(l);
      this.adam.step();
      return l;
    });
  }

  /**
   * One step replayed from the recording of the first (Runtime.capture), without the step's
   * JavaScript; returns the loss, which the recording owns (each replay rewrites it).
   */
  replayStep(): Tensor {
    return this.replayed.run();
  }

  /** A step either way: the loss to read, and whether the caller must dispose it. */
  issue(replay: boolean): { loss: Tensor; owned: boolean } {
    return replay ? { loss: this.replayStep(), owned: false } : { loss: this.step(), owned: true };
  }

  dispose(): void {
    this.replayed.dispose();
    this.adam.dispose();
    for (const t of [...this.params, this.x, this.target, this.targetGradients]) t.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// The adapter's matmul ceiling

export interface Ceiling {
  gflops: number;
  source: string;
}

let measuredCeiling: Ceiling | null = null;

/**
 * The matmul ceiling to divide by: the roofline suite's when it ran in this process (same load on
 * a shared host), else the best 1024³ of ops.matmul and the bench kernels (quick mode: only the
 * one that did best on SwiftShader), 3 runs each, measured here once per process (an earlier
 * report's ceiling may come from a differently loaded machine or an older engine).
 */
export async function matmulCeiling(ctx: BenchContext, rt: Runtime): Promise<Ceiling | null> {
  if (ctx.ceilings.matmulGflops && ctx.ceilings.source === 'this run') {
    return { gflops: ctx.ceilings.matmulGflops, source: 'roofline suite, this run' };
  }
  if (measuredCeiling) return measuredCeiling;
  ctx.log('siren: 1024³ matmul ceiling (the roofline suite is not in this run)');
  const size = 1024;
  const flops = 2 * size ** 3;
  const a = randomMatrix(size * size, 1);
  const b = randomMatrix(size * size, 2);
  const candidates: { name: string; gflops: number }[] = [];

  const ta = tensor(a, [size, size]);
  const tb = tensor(b, [size, size]);
  try {
    const timing = await measure(rt, ctx.host, () => { tidy(() => { ops.matmul(ta, tb); }); rt.flush(); }, { warmup: 1, runs: 3, iterations: 1, timestamps: false });
    const c = tidy(() => ops.matmul(ta, tb));
    const err = matmulError(a, b, await c.read(), size, size, size);
    c.dispose();
    if (err <= MATMUL_TOLERANCE) candidates.push({ name: 'ops.matmul', gflops: toResult(timing, { suite: SUITE, name: '', work: { unit: 'GFLOP/s', flops } }).median });
  } finally {
    ta.dispose();
    tb.dispose();
  }

  const device = rt.device;
  const variants = ctx.quick ? MATMUL_VARIANTS.filter((v) => v.quick) : MATMUL_VARIANTS;
  const buffers = [storageBuffer(device, a.byteLength, 'siren ceiling A'), storageBuffer(device, b.byteLength, 'siren ceiling B'), storageBuffer(device, a.byteLength, 'siren ceiling C')];
  const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'siren ceiling dims' });
  device.queue.writeBuffer(buffers[0], 0, a);
  device.queue.writeBuffer(buffers[1], 0, b);
  device.queue.writeBuffer(dims, 0, new Uint32Array([size, size, size, 0]));
  try {
    for (const variant of variants) {
      const p = await benchPipeline(device, matmulWgsl(variant), variant.name, ['read', 'read', 'storage', 'uniform']);
      const group = bindGroup(device, p, [...buffers, dims], variant.name);
      const [rows, cols] = matmulTile(variant);
      device.queue.writeBuffer(buffers[2], 0, new Float32Array(size * size)); // a stale result must not pass the check
      const timing = await measure(rt, ctx.host, () => submitDispatches(device, p, group, [size / cols, size / rows, 1]), { warmup: 1, runs: 3, iterations: 1, timestamps: false });
      const err = matmulError(a, b, new Float32Array(await rt.read(buffers[2], a.byteLength)), size, size, size);
      if (err <= MATMUL_TOLERANCE) candidates.push({ name: `bench ${variant.name}`, gflops: toResult(timing, { suite: SUITE, name: '', work: { unit: 'GFLOP/s', flops } }).median });
    }
  } finally {
    [...buffers, dims].forEach((x) => x.destroy());
  }
  if (candidates.length === 0) return null;
  const best = candidates.reduce((x, y) => (y.gflops > x.gflops ? y : x));
  measuredCeiling = { gflops: best.gflops, source: `1024³ ${best.name}, measured by the siren suite in this run (${candidates.map((c) => `${c.name} ${fmt(c.gflops)}`).join(', ')} GFLOP/s)` };
  return measuredCeiling;
}

// ---------------------------------------------------------------------------------------------
// Measurements (kept per process, so that bench/peers.ts reuses them when this suite ran first)

export interface SirenPlan {
  /** untimed steps before the timed runs (the first compiles the pipelines) */
  warmupSteps: number;
  runs: number;
  stepsPerRun: number;
}

/** Short plans: a 64² step is seconds on SwiftShader, 128² four times that. */
export function sirenPlan(size: number, quick: boolean): SirenPlan {
  if (size <= 64) return quick ? { warmupSteps: 1, runs: 3, stepsPerRun: 1 } : { warmupSteps: 1, runs: 3, stepsPerRun: 2 };
  return quick ? { warmupSteps: 1, runs: 2, stepsPerRun: 1 } : { warmupSteps: 1, runs: 3, stepsPerRun: 1 };
}

const figures = new Map<string, Result>();
/** our first losses at 64², once checked in this process */
export let checkedLosses: number[] | null = null;

const key = (size: number, wait: WaitStrategy, replay: boolean, unsliced = false): string =>
  `${size}/${wait}/${replay ? 'replayed' : 'eager'}${unsliced ? '/unsliced' : ''}`;

/** This process's figure for a size and wait strategy (replayed steps unless `replay` is false), if one was measured. */
export function sirenFigure(size: number, wait: WaitStrategy, replay = true): Result | undefined {
  return figures.get(key(size, wait, replay));
}

/**
 * The first `count` losses at 64² against the peers' (throws when they disagree). Also the
 * warm-up of the 64² pipelines. Reads the loss every step (a full round trip each).
 */
export async function checkFirstLosses(ctx: BenchContext, count = PEER_LOSSES_64.length): Promise<number[]> {
  if (checkedLosses && checkedLosses.length >= count) return checkedLosses;
  await ctx.runtime();
  const workload = new SirenWorkload(64);
  const losses: number[] = [];
  try {
    // the first step recorded, the others replayed: the path the timings take
    for (let i = 0; i < count; i++) losses.push(await workload.replayStep().item());
  } finally {
    workload.dispose();
  }
  const distances = losses.map((v, i) => distanceFromRange(v, PEER_LOSSES_64[i]));
  const shown = losses.map((v) => v.toPrecision(6)).join(' ');
  ctx.log(`siren: first losses at 64² ${shown}`);
  const worst = Math.max(...distances);
  if (!(worst <= LOSS_TOLERANCE)) {
    const at = distances.indexOf(worst);
    throw new Error(`siren: first losses at 64² ${shown} disagree with the peers' (step ${at + 1}: ${losses[at]} vs ` +
      `${PEER_LOSSES_64[at].join('–')}, relative ${worst.toExponential(1)} > ${LOSS_TOLERANCE}); the timings would mean nothing`);
  }
  ctx.notes.push(`siren: first losses at 64² ${shown} agree with the peers' (${PEER_LOSSES_64.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}–${hi}`)).join(', ')}) within ${LOSS_TOLERANCE} relative (worst ${worst.toExponential(1)})`);
  checkedLosses = losses;
  return losses;
}

export interface SirenRun {
  /** replayed steps (default) or eager ones */
  replay?: boolean;
  plan?: SirenPlan;
  /** with K never sliced within workgroups (src/ops/matmul_kernel.ts slicedK): the comparison row */
  unsliced?: boolean;
}

/** Times the training step at one size with one wait strategy (reuses this process's figure). */
export async function measureSiren(ctx: BenchContext, size: number, wait: WaitStrategy, run: SirenRun = {}): Promise<Result> {
  const { replay = true, plan = sirenPlan(size, ctx.quick), unsliced = false } = run;
  const known = figures.get(key(size, wait, replay, unsliced));
  if (known) return known;
  const rt = await ctx.runtime();
  const ceiling = await matmulCeiling(ctx, rt);
  const mode = `${replay ? 'replayed' : 'eager'}${unsliced ? ', K not sliced' : ''}`;
  ctx.log(`siren: ${size}² wait ${wait}, ${mode}: ${plan.warmupSteps} warm-up + ${plan.runs}×${plan.stepsPerRun} steps`);
  const workload = new SirenWorkload(size);
  const before = rt.waitStrategy;
  const slicedBefore = slicedK.enabled;
  rt.waitStrategy = wait;
  if (unsliced) slicedK.enabled = false;
  let lastLoss = NaN;
  try {
    const dispatches0 = rt.counters.dispatches;
    const submits0 = rt.counters.submits;
    let steps = 0;
    const timing = await measure(rt, ctx.host, async () => {
      const { loss, owned } = workload.issue(replay);
      if (owned) loss.dispose();
      steps++;
      await rt.throttle(); // bounds the run-ahead; no readback per step
    }, { warmup: 1, warmupIterations: plan.warmupSteps, runs: plan.runs, iterations: planIterations(rt, plan.stepsPerRun) });
    const dispatchesPerStep = (rt.counters.dispatches - dispatches0) / steps;
    const submitsPerStep = (rt.counters.submits - submits0) / steps;
    const { loss, owned } = workload.issue(replay);
    lastLoss = await loss.item();
    if (owned) loss.dispose();
    if (!Number.isFinite(lastLoss)) throw new Error(`siren ${size}²: the loss became ${lastLoss}`);
    const flops = sirenFlops(size * size);
    const result = toResult(timing, {
      suite: SUITE,
      name: `SIREN 5×256 step ${size}² (wait ${wait}, ${mode})`,
      work: { unit: 'it/s' },
      extra: {
        size, points: size * size, wait, mode: replay ? 'replayed' : 'eager', slicedK: slicedK.enabled, stepFlops: flops, lossAfter: lastLoss,
        dispatchesPerStep: Number(dispatchesPerStep.toFixed(1)), submitsPerStep: Number(submitsPerStep.toFixed(2)),
      },
    });
    result.extra.gflops = (result.median * flops) / 1e9;
    if (timing.gpuMs) result.extra.gpuMsPerStep = Number(Math.min(...timing.gpuMs).toFixed(1));
    if (ceiling) {
      result.roofline = (result.median * flops) / 1e9 / ceiling.gflops;
      result.extra.ceilingGflops = ceiling.gflops;
      result.extra.ceilingSource = ceiling.source;
    }
    figures.set(key(size, wait, replay, unsliced), result);
    return result;
  } finally {
    rt.waitStrategy = before;
    slicedK.enabled = slicedBefore;
    workload.dispose();
  }
}

/**
 * Where the time of a step goes at one size (full mode): the forward alone (inference kernels,
 * no z kept), the forward that keeps z, forward + backward without Adam. Each waits for the GPU.
 */
async function breakdown(ctx: BenchContext, size: number): Promise<Result[]> {
  const rt = await ctx.runtime();
  const workload = new SirenWorkload(size);
  const flops = sirenFlops(size * size);
  const forwardFlops = LAYERS.reduce((s, [i, o]) => s + 2 * size * size * i * o, 0);
  const parts: { name: string; flops: number; run: () => void }[] = [
    { name: 'forward only (noGrad)', flops: forwardFlops, run: () => { noGrad(() => tidy(() => { workload.forward(); })); } },
    { name: 'forward keeping z (grad on, no backward)', flops: forwardFlops, run: () => { tidy(() => { workload.loss(); }); } },
    { name: 'forward + backward (no Adam)', flops, run: () => { tidy(() => { backward(workload.loss()); }); workload.params.forEach((p) => { p.grad?.dispose(); p.grad = null; }); } },
  ];
  const results: Result[] = [];
  try {
    for (const part of parts) {
      ctx.log(`siren: ${size}² ${part.name}`);
      const timing = await measure(rt, ctx.host, () => { part.run(); rt.flush(); }, { warmup: 1, runs: 3, iterations: 1 });
      const r = toResult(timing, { suite: SUITE, name: `SIREN ${size}² ${part.name}`, work: { unit: 'GFLOP/s', flops: part.flops }, extra: { size } });
      r.extra.msPerIteration = Number((part.flops / (r.median * 1e6)).toFixed(1));
      const ceiling = await matmulCeiling(ctx, rt);
      if (ceiling) r.roofline = r.median / ceiling.gflops;
      results.push(r);
    }
  } finally {
    workload.dispose();
  }
  return results;
}

/**
 * CPU time to issue one step and submit it, eager or replayed: the same dispatches as any size,
 * on 8×8 points, and the GPU idle meanwhile (on SwiftShader its threads would share the cores).
 * On a fast GPU a small step is bound by this, not by kernels.
 */
async function issueTime(ctx: BenchContext, replay: boolean): Promise<Result> {
  const rt = await ctx.runtime();
  const workload = new SirenWorkload(8);
  const steps = ctx.quick ? 50 : 200;
  try {
    for (let i = 0; i < 10; i++) {
      const { loss, owned } = workload.issue(replay);
      if (owned) loss.dispose();
      await rt.throttle();
    }
    const times: number[] = [];
    const dispatches = rt.counters.dispatches;
    for (let i = 0; i < steps; i++) {
      await rt.sync();
      const started = performance.now();
      const { loss, owned } = workload.issue(replay);
      rt.flush();
      times.push((performance.now() - started) * 1000);
      if (owned) loss.dispose();
    }
    await rt.sync();
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    return {
      suite: SUITE, name: `SIREN 5×256 step: CPU to issue and submit it, ${replay ? 'replayed' : 'eager'} (8×8 points, GPU idle)`, unit: 'µs', median,
      min: times[0], max: times[times.length - 1], spread: (times[Math.floor(0.75 * steps)] - times[Math.floor(0.25 * steps)]) / median,
      runs: steps, extra: { iterations: 1, dispatchesPerStep: (rt.counters.dispatches - dispatches) / steps },
    };
  } finally {
    workload.dispose();
  }
}

/** Sizes and wait strategies to time; 256² only in full mode and only when 128² suggests it fits `budgetSeconds`. */
export const SIREN_SIZES = { quick: [64], full: [64, 128, 256] }; // quick mode stays under 2 min
const WAITS: WaitStrategy[] = ['backoff', 'spin'];
const BIG_SIZE_BUDGET_SECONDS = 300;

export const siren: Suite = {
  name: SUITE,
  description: "SIREN 5×256 training step (the peers' workload) at 64², 128² (and 256²): checked first losses, it/s replayed with wait backoff and spin and eager with backoff, GFLOP/s, fraction of the matmul ceiling, CPU per step",
  async run(ctx) {
    await checkFirstLosses(ctx);
    const results: Result[] = [];
    for (const size of ctx.quick ? SIREN_SIZES.quick : SIREN_SIZES.full) {
      let waits = WAITS;
      if (size > 128) {
        // Estimate from 128² (work grows with N): skip what would not fit the budget on this adapter.
        const at128 = figures.get(key(128, 'backoff', true));
        const perStep = at128 ? (size * size) / (128 * 128) / at128.median : Infinity;
        const plan = sirenPlan(size, ctx.quick);
        const seconds = perStep * (plan.warmupSteps + plan.runs * plan.stepsPerRun + 1);
        if (!(seconds <= BIG_SIZE_BUDGET_SECONDS)) {
          ctx.notes.push(`siren: ${size}² skipped: about ${fmt(seconds)} s on this adapter, over the ${BIG_SIZE_BUDGET_SECONDS} s budget`);
          continue;
        }
        waits = ['backoff'];
      }
      for (const wait of waits) results.push(await measureSiren(ctx, size, wait));
      results.push(await measureSiren(ctx, size, 'backoff', { replay: false }));
      // what slicing K within workgroups buys (only the GPU tuning slices, and only small steps gain)
      if ((await ctx.runtime()).tuning === 'gpu' && size <= 128) results.push(await measureSiren(ctx, size, 'backoff', { unsliced: true }));
    }
    results.push(await issueTime(ctx, false), await issueTime(ctx, true));
    if (!ctx.quick) results.push(...await breakdown(ctx, 64));
    const ceiling = await matmulCeiling(ctx, await ctx.runtime());
    if (ceiling) ctx.notes.push(`siren: "of roofline" = step GFLOP/s (matmul FLOPs, counted as the peers do) over the matmul ceiling ${fmt(ceiling.gflops)} GFLOP/s (${ceiling.source})`);
    return results;
  },
};

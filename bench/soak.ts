/**
 * Soak benchmark: long runs must not leak. Two phases, each sampled as it runs:
 *   inr  an INRFuse fit on the synthetic sample pair, through the product's fit loop
 *        (fitInrFuse: tidy'd steps, throttle() between loss reads, the loss read every
 *        `readEvery` steps); a sample is taken at every loss read (its onRead hook);
 *   cnn  DIDFuse inferences through the CLI's path (fuseDidfuse: the model is built from the
 *        state dict, both planes uploaded, fused, read back and the model disposed, per call),
 *        with the model's own seeded random weights (no weights file); ~100 samples per phase.
 * Each sample, taken after a full GC (see collector()): liveTensorCount(); the runtime's buffer
 * pool counters (rt.pool.getStats(): buffers/bytes handed out, buffers/bytes the pool owns, live
 * or free); the pipeline cache size; process.memoryUsage(). On dawn.node + SwiftShader GPU memory
 * is process memory, so RSS also covers what the pool does not count (readback staging buffers,
 * the uniform arena, bind groups, command buffers).
 * After the warm-up (the first `--warmup` fraction of each phase's iterations), growth =
 * (last − first) / first over the remaining samples; a phase passes when every gated series
 * (the engine's counters and RSS) grows ≤ 5%. V8's heap figures are shown, not gated (UNGATED).
 * The pool is trimmed between phases, so each phase's pooled bytes are its own.
 *
 *   npx tsx bench/soak.ts [--inr-steps 10000] [--cnn 1000] [--size 32] [--hidden 32] [--width 8]
 *                         [--warmup 0.1] [--quick] [--no-gc]
 * --quick: 500 INR steps and 50 inferences. --inr-steps 0 or --cnn 0 skips a phase.
 * Prints a table (stdout), progress (stderr), and writes bench/out/soak.json (soak-quick.json
 * with --quick). Exits 0 whether or not the report passes (it is a benchmark); 1 on an error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { init, liveTensorCount, shutdown, type Runtime } from '../src/index.ts';
import { fuseDidfuse, type LumaPlane } from '../src/fusion/cnn.ts';
import { fitInrFuse } from '../src/fusion/inr.ts';
import { splitLuma } from '../src/io/colour.ts';
import type { TensorEntry } from '../src/io/safetensors.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { type AdapterBlock, adapterBlock, fmt } from './harness.ts';
import { nodeHost, outDir } from './host-node.ts';

const LIMIT = 0.05;

interface Options {
  inrSteps: number;
  cnnCalls: number;
  /** image width; the INR pair is size × 3/4·size, the CNN input size × size */
  size: number;
  hidden: number;
  width: number;
  warmup: number;
  quick: boolean;
  /** full GC before each sample (default; --no-gc turns it off) */
  gc: boolean;
}

const SERIES = ['tensors', 'liveBuffers', 'liveMiB', 'pooledBuffers', 'pooledMiB', 'pipelines', 'rssMiB', 'heapMiB', 'heapTotalMiB', 'externalMiB'] as const;
type SeriesName = (typeof SERIES)[number];
/**
 * Shown but not part of PASS/FAIL: V8's heap. heapUsed (after GC) is what JS retains;
 * heapTotal is what V8 has reserved for it, and grows in steps (its young generation grows
 * with the allocation rate, ~16 MiB once, a few hundred INR steps in), which moves RSS by as
 * much: a step in rssMiB that coincides with one in heapTotalMiB, with heapMiB flat, is V8
 * sizing its heap, not a leak.
 */
const UNGATED: ReadonlySet<SeriesName> = new Set<SeriesName>(['heapMiB', 'heapTotalMiB', 'externalMiB']);

type Sample = { iteration: number; seconds: number } & Record<SeriesName, number>;

interface SeriesSummary {
  series: SeriesName;
  first: number;
  last: number;
  min: number;
  max: number;
  /** (last − first) / first after warm-up; 0 when both are 0, Infinity when it grew from 0 */
  growth: number;
  /** the same over the second half of the samples after warm-up: a leak grows in both halves, a one-off step in one */
  growthLateHalf: number;
  gated: boolean;
}

interface PhaseReport {
  phase: 'inr' | 'cnn';
  description: string;
  iterations: number;
  seconds: number;
  /** iterations (steps or calls) per second */
  rate: number;
  warmupIterations: number;
  summary: SeriesSummary[];
  maxGrowth: number;
  pass: boolean;
  samples: Sample[];
  extra: Record<string, number | string>;
}

function usage(): never {
  process.stdout.write('usage: npx tsx bench/soak.ts [--inr-steps N] [--cnn N] [--size W] [--hidden H] [--width C] [--warmup F] [--quick] [--no-gc]\n');
  process.exit(0);
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const gc = !argv.includes('--no-gc');
  const o: Options = { inrSteps: quick ? 500 : 10_000, cnnCalls: quick ? 50 : 1000, size: 32, hidden: 32, width: 8, warmup: 0.1, quick, gc };
  const numeric: Record<string, Exclude<keyof Options, 'quick' | 'gc'>> = {
    '--inr-steps': 'inrSteps', '--cnn': 'cnnCalls', '--size': 'size', '--hidden': 'hidden', '--width': 'width', '--warmup': 'warmup',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split('=', 2);
    if (flag === '--quick' || flag === '--no-gc') continue;
    if (flag === '--help' || flag === '-h') usage();
    const key = numeric[flag];
    const value = Number(inline ?? argv[++i]);
    if (!key || !Number.isFinite(value) || value < 0) {
      process.stderr.write(`soak: bad argument ${arg}${inline === undefined && key ? ` ${argv[i] ?? ''}` : ''} (try --help)\n`);
      process.exit(2);
    }
    o[key] = value;
  }
  if (o.size < 16) throw new Error('--size must be at least 16 (makeSamplePair)');
  if (o.warmup >= 1) throw new Error('--warmup is a fraction below 1');
  return o;
}

const MiB = 2 ** 20;
const t0 = performance.now();

/**
 * A full garbage collection before each sample, so that RSS and heap show what is retained, not
 * garbage not yet collected (without it the young heap's saw-tooth alone moves RSS by ~5% in a
 * short run). dawn.node's wrappers (bind groups, staging buffers) free their native memory when
 * collected, so this also settles that. `--expose-gc` is switched on at run time when node was
 * not started with it; `--no-gc` samples without collecting.
 */
function collector(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? (gc as () => void) : null;
}
let collect: (() => void) | null = null;

function sample(rt: Runtime, iteration: number): Sample {
  collect?.();
  const pool = rt.pool.getStats();
  const mem = process.memoryUsage();
  return {
    iteration,
    seconds: (performance.now() - t0) / 1000,
    tensors: liveTensorCount(),
    liveBuffers: pool.liveBuffers,
    liveMiB: pool.liveBytes / MiB,
    pooledBuffers: pool.allocatedBuffers,
    pooledMiB: pool.allocatedBytes / MiB,
    pipelines: rt.pipelines.size,
    rssMiB: mem.rss / MiB,
    heapMiB: mem.heapUsed / MiB,
    heapTotalMiB: mem.heapTotal / MiB,
    externalMiB: mem.external / MiB,
  };
}

function growthOf(from: number, to: number): number {
  return from === 0 ? (to === 0 ? 0 : Infinity) : (to - from) / from;
}

function summarise(samples: Sample[], warmupIterations: number): { summary: SeriesSummary[]; maxGrowth: number } {
  const after = samples.filter((s) => s.iteration > warmupIterations);
  if (after.length < 2) throw new Error(`fewer than 2 samples after warm-up (${after.length}); run more iterations`);
  const summary = SERIES.map((series): SeriesSummary => {
    const values = after.map((s) => s[series]);
    const first = values[0];
    const last = values[values.length - 1];
    const mid = values[Math.floor((values.length - 1) / 2)];
    return {
      series, first, last, min: Math.min(...values), max: Math.max(...values),
      growth: growthOf(first, last), growthLateHalf: growthOf(mid, last), gated: !UNGATED.has(series),
    };
  });
  const maxGrowth = Math.max(...summary.filter((s) => s.gated).map((s) => s.growth));
  return { summary, maxGrowth };
}

function progress(phase: string, done: number, total: number): void {
  const step = Math.max(1, Math.floor(total / 10));
  if (done % step === 0 || done === total) {
    nodeHost.log(`soak ${phase}: ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB)`);
  }
}

async function soakInr(rt: Runtime, o: Options): Promise<PhaseReport> {
  const height = Math.round((o.size * 3) / 4);
  const pair = makeSamplePair(o.size, height);
  const vis = { width: o.size, height, data: splitLuma(pair.vis).y };
  // the loss (and a sample) every 100 steps, or every 1/20 of a shorter run (fitInrFuse's own default is 10)
  const readEvery = Math.max(1, Math.min(100, Math.floor(o.inrSteps / 20)));
  const samples: Sample[] = [];
  const started = performance.now();
  const fit = await fitInrFuse(pair.ir, vis, {
    steps: o.inrSteps,
    hidden: o.hidden,
    readEvery,
    onRead: (_model, p) => {
      samples.push(sample(rt, p.step));
      progress('inr', p.step, o.inrSteps);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  fit.model.net.dispose();
  const warmupIterations = Math.floor(o.inrSteps * o.warmup);
  return {
    phase: 'inr',
    description: `INRFuse fit (fitInrFuse), SIREN hidden ${o.hidden} × 5 layers, ${o.size}×${height} sample pair, loss read every ${readEvery} steps`,
    iterations: fit.steps,
    seconds,
    rate: fit.steps / seconds,
    warmupIterations,
    ...summarise(samples, warmupIterations),
    pass: false,
    samples,
    extra: { readEvery, initialLoss: fit.initialLoss, finalLoss: fit.finalLoss },
  };
}

async function soakCnn(rt: Runtime, o: Options): Promise<PhaseReport> {
  const pair = makeSamplePair(o.size, o.size);
  const ir: LumaPlane = { width: o.size, height: o.size, data: pair.ir.data };
  const vis: LumaPlane = { width: o.size, height: o.size, data: splitLuma(pair.vis).y };
  const seeded = new DIDFuse({ width: o.width }); // seeded random weights: no weights file needed
  const state = await seeded.stateDict();
  seeded.dispose();
  const tensors = new Map<string, TensorEntry>(Object.entries(state).map(([k, v]) => [k, { shape: v.shape, dtype: 'F32', data: v.data }]));
  const weights = { tensors, name: `DIDFuse(width ${o.width}, seed 0) init` };
  const every = Math.max(1, Math.floor(o.cnnCalls / 100));
  const samples: Sample[] = [sample(rt, 0)];
  const started = performance.now();
  let lastPixel = 0;
  for (let call = 1; call <= o.cnnCalls; call++) {
    const fused = await fuseDidfuse(ir, vis, { weights }); // model built, run, read back, disposed
    lastPixel = fused[0];
    if (call % every === 0 || call === o.cnnCalls) samples.push(sample(rt, call));
    progress('cnn', call, o.cnnCalls);
  }
  const seconds = (performance.now() - started) / 1000;
  const warmupIterations = Math.floor(o.cnnCalls * o.warmup);
  return {
    phase: 'cnn',
    description: `DIDFuse inference (fuseDidfuse: build + upload + fuse + readback + dispose per call), width ${o.width}, ${o.size}×${o.size}`,
    iterations: o.cnnCalls,
    seconds,
    rate: o.cnnCalls / seconds,
    warmupIterations,
    ...summarise(samples, warmupIterations),
    pass: false,
    samples,
    extra: { sampleEvery: every, msPerCall: (1000 * seconds) / o.cnnCalls, lastPixel },
  };
}

function growthText(g: number): string {
  if (!Number.isFinite(g)) return 'grew from 0';
  return `${g >= 0 ? '+' : ''}${(g * 100).toFixed(2)}%`;
}

function formatPhase(p: PhaseReport): string {
  const header = ['series', `first (>${p.warmupIterations})`, 'last', 'min', 'max', 'growth', 'growth, 2nd half', 'gate'];
  const rows = p.summary.map((s) => [
    s.series, fmt(s.first, 4), fmt(s.last, 4), fmt(s.min, 4), fmt(s.max, 4), growthText(s.growth), growthText(s.growthLateHalf),
    s.gated ? (s.growth <= LIMIT ? 'ok' : 'OVER') : 'info',
  ]);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [
    `${p.phase}: ${p.description}`,
    `  ${p.iterations} iterations in ${p.seconds.toFixed(1)} s (${fmt(p.rate)}/s), ${p.samples.length} samples, warm-up ${p.warmupIterations}; ` +
      Object.entries(p.extra).map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : v}`).join(', '),
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    `  ${p.phase}: ${p.pass ? 'PASS' : 'FAIL'} (max gated growth ${growthText(p.maxGrowth)}, limit +${LIMIT * 100}%)`,
  ].join('\n');
}

interface SoakReport {
  kind: 'soak';
  options: Options;
  limit: number;
  adapter: AdapterBlock;
  phases: PhaseReport[];
  pass: boolean;
  seconds: number;
}

let code = 0;
try {
  const o = parseArgs(process.argv.slice(2));
  collect = o.gc ? collector() : null;
  if (o.gc && !collect) nodeHost.log('soak: could not enable gc(); RSS and heap include uncollected garbage');
  const rt = await init({ quiet: true });
  const adapter = adapterBlock(rt, await nodeHost.environment());
  const phases: PhaseReport[] = [];
  if (o.inrSteps > 0) phases.push(await soakInr(rt, o));
  rt.pool.trim(); // the next phase starts from an empty free list: its pooled bytes are its own
  if (o.cnnCalls > 0) phases.push(await soakCnn(rt, o));
  for (const p of phases) p.pass = p.maxGrowth <= LIMIT;
  const report: SoakReport = {
    kind: 'soak', options: o, limit: LIMIT, adapter, phases,
    pass: phases.every((p) => p.pass), seconds: (performance.now() - t0) / 1000,
  };
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, o.quick ? 'soak-quick.json' : 'soak.json');
  fs.writeFileSync(file, `${JSON.stringify(report, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
  process.stdout.write(`${adapter.adapter} (${adapter.host}), commit ${adapter.commit ?? 'unknown'}\n\n`);
  process.stdout.write(`${phases.map(formatPhase).join('\n\n')}\n\n`);
  process.stdout.write(`SOAK ${report.pass ? 'PASS' : 'FAIL'}: every gated series within +${LIMIT * 100}% after warm-up` +
    `${report.pass ? '' : ' — NOT met'} (${report.seconds.toFixed(0)} s${o.quick ? ', quick mode' : ''}); report: ${path.relative(process.cwd(), file)}\n`);
} catch (err) {
  process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  code = 1;
} finally {
  shutdown();
}
// dawn.node keeps the event loop alive while its instance exists: exit explicitly.
process.exit(code);

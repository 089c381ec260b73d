/**
 * Timing utilities shared by every benchmark suite, and the records they produce.
 *
 * Rules every figure follows (STYLE.md, practice 13):
 *   - warm-up runs first (SwiftShader compiles pipelines lazily, at the first dispatch);
 *   - every timed run waits for the GPU (`await rt.sync()`) before its clock stops, so a run
 *     measures finished work, not queued work;
 *   - the median of the runs is the figure; min, max and the IQR spread go with it;
 *   - process CPU time per iteration is recorded, to show what waiting costs on a 2-core host;
 *   - when the device has `timestamp-query`, the GPU's own time of the batch is recorded too.
 *
 * This file is portable (Node and the browser bundle): anything Node-only comes in through `Host`
 * (see host-node.ts); WebGPU types only.
 */
import type { Runtime } from '../src/index.ts';

export type Unit = 'GFLOP/s' | 'GB/s' | 'it/s' | 'FPS' | 'µs' | 's';

/** One benchmark figure. Rates are per iteration; min/max are the slowest/fastest run's value. */
export interface Result {
  suite: string;
  name: string;
  unit: Unit;
  median: number;
  min: number;
  max: number;
  /** timed runs (each of `extra.iterations` iterations) */
  runs: number;
  /** interquartile range of the runs over the median (0.05 = 5%) */
  spread: number;
  /** median as a fraction of this adapter's ceiling (Ceilings) for the same kind of work */
  roofline?: number;
  /** CPU seconds per iteration: the whole process (dawn + SwiftShader's worker threads + JS) and, where the host can tell, the JS main thread alone */
  cpu?: { process: number; main?: number };
  /** the median in `unit` computed from GPU timestamps (timestamp-query) instead of the wall clock */
  gpu?: number;
  extra: Record<string, number | string | boolean | null>;
}

/** The adapter's ceilings measured by the roofline suite; other suites divide by them. */
export interface Ceilings {
  /** best fp32 matmul at 1024³ of any kernel we have (engine or bench-only) */
  matmulGflops?: number;
  /** best vec4 copy, read + write bytes */
  copyGBs?: number;
  /** µs per tiny dispatch inside one pass (engine dispatch path) */
  dispatchUs?: number;
  /** µs per submit + wait round trip of a tiny dispatch (runtime's default wait) */
  roundTripUs?: number;
  /** where the numbers come from: "this run" or a report file */
  source?: string;
}

/** What only the host can provide. host-node.ts implements it for Node; a page will for Chrome. */
export interface Host {
  kind: 'node' | 'browser';
  /** CPU seconds consumed so far by this process, its JS main thread, and the whole machine
   * (all processes); null where the host cannot tell (browsers) */
  cpuSeconds(): { process: number; main?: number; machine?: number } | null;
  /** machine, OS, runtime versions, git commit; goes into the adapter block */
  environment(): Promise<Record<string, string | number | boolean | null>>;
  log(line: string): void;
}

export interface BenchContext {
  quick: boolean;
  host: Host;
  /** the current runtime (creates a default one after a suite shut its own down) */
  runtime(): Promise<Runtime>;
  ceilings: Ceilings;
  /** lines printed under the table (ratios, caveats) */
  notes: string[];
  log(line: string): void;
}

/** A suite: one file in bench/, one entry in suites.ts. */
export interface Suite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Result[]>;
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Summary { median: number; min: number; max: number; spread: number }

export function summarize(values: readonly number[]): Summary {
  const m = median(values);
  return {
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    spread: m === 0 ? 0 : (quantile(values, 0.75) - quantile(values, 0.25)) / Math.abs(m),
  };
}

// ---------------------------------------------------------------------------------------------
// GPU timestamps

/**
 * GPU time of everything submitted between `begin()` and `end()`, from `timestamp-query`.
 * The engine records into its own compute pass and has no hook for `timestampWrites`, so we
 * bracket its submits with two empty passes of our own on the same queue: the first writes its
 * beginning-of-pass time, the last its end-of-pass time. The queue runs submits in order (on
 * SwiftShader strictly one after the other), so the difference covers the work between them.
 * Dawn quantises timestamps (a few µs); browsers quantise more, which is fine for batches of ms.
 * Caveat: the bracket opens at `begin()`, before the step records its work, so JS recording time
 * counts as GPU time (the queue idles meanwhile) until the engine submits. For kernels that run
 * for ms this is noise; for batches of tiny ops the "GPU" figure is close to the wall clock. A
 * `timestampWrites` hook on the engine's own pass would remove that (see bench/RESULTS.md).
 */
export class GpuTimer {
  private querySet: GPUQuerySet;
  private resolveBuffer: GPUBuffer;

  private constructor(private rt: Runtime) {
    this.querySet = rt.device.createQuerySet({ type: 'timestamp', count: 2, label: 'bench timer' });
    this.resolveBuffer = rt.device.createBuffer({
      size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'bench timer resolve',
    });
  }

  /** null when the device was created without `timestamp-query` */
  static create(rt: Runtime): GpuTimer | null {
    return rt.device.features.has('timestamp-query') ? new GpuTimer(rt) : null;
  }

  begin(): void {
    this.rt.flush(); // earlier recorded work stays outside the bracket
    this.emptyPass({ querySet: this.querySet, beginningOfPassWriteIndex: 0 }, false);
  }

  /** Submits the closing timestamp; call before waiting. */
  end(): void {
    this.rt.flush();
    this.emptyPass({ querySet: this.querySet, endOfPassWriteIndex: 1 }, true);
  }

  /** Milliseconds between begin and end (after the work has finished), or null if the clock did not move. */
  async read(): Promise<number | null> {
    const bytes = await this.rt.read(this.resolveBuffer, 16);
    const [t0, t1] = new BigUint64Array(bytes);
    return t1 > t0 ? Number(t1 - t0) / 1e6 : null;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }

  private emptyPass(timestampWrites: GPUComputePassTimestampWrites, resolve: boolean): void {
    const encoder = this.rt.device.createCommandEncoder({ label: 'bench timer' });
    encoder.beginComputePass({ timestampWrites, label: 'bench timer' }).end();
    if (resolve) encoder.resolveQuerySet(this.querySet, 0, 2, this.resolveBuffer, 0);
    this.rt.device.queue.submit([encoder.finish()]);
  }
}

// ---------------------------------------------------------------------------------------------
// The timing loop

export interface MeasureOptions {
  /** untimed runs first (each of `iterations` iterations); at least 1 */
  warmup?: number;
  /** timed runs */
  runs?: number;
  /** iterations per run; default: calibrated after warm-up so a run lasts about `targetMs` */
  iterations?: number;
  /** iterations per warm-up run (default: `iterations`, or 1 when calibrating) */
  warmupIterations?: number;
  targetMs?: number;
  maxIterations?: number;
  /** bracket every run with GPU timestamps when the device has them (default true) */
  timestamps?: boolean;
}

export interface Timing {
  iterations: number;
  /** wall ms per iteration, one entry per timed run */
  wallMs: number[];
  /** GPU ms per iteration per run (timestamp-query), when available */
  gpuMs: number[] | null;
  /** CPU seconds per iteration per run */
  cpuProcess: number[] | null;
  cpuMain: number[] | null;
  /** cores busy with other processes during each run (machine CPU − ours, over wall time) */
  otherCores: number[] | null;
}

/**
 * Runs `step` (which records GPU work, and may await reads) `iterations` times per run and
 * waits for the GPU at the end of each run. `step` gets the global iteration index.
 */
export async function measure(
  rt: Runtime, host: Host, step: (iteration: number) => unknown, options: MeasureOptions = {},
): Promise<Timing> {
  const runs = Math.max(1, options.runs ?? 5);
  let iterations = options.iterations ?? 0;
  let index = 0;
  const once = async (n: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < n; i++) await step(index++);
    await rt.sync();
    return performance.now() - start;
  };

  // Warm-up compiles pipelines (SwiftShader JITs at the first dispatch) and fills the buffer pool;
  // then one more iteration, compile-free, calibrates the count.
  const warmupIterations = Math.max(1, options.warmupIterations ?? (iterations || 1));
  for (let w = 0; w < Math.max(1, options.warmup ?? 1); w++) await once(warmupIterations);
  if (!iterations) {
    const perIteration = Math.max(await once(1), 0.001);
    iterations = Math.min(options.maxIterations ?? 1000, Math.max(1, Math.round((options.targetMs ?? 200) / perIteration)));
  }

  const timer = options.timestamps === false ? null : GpuTimer.create(rt);
  const wallMs: number[] = [];
  const gpuMs: number[] = [];
  const cpuProcess: number[] = [];
  const cpuMain: number[] = [];
  const otherCores: number[] = [];
  let cpuKnown = true;
  let mainKnown = true;
  try {
    for (let r = 0; r < runs; r++) {
      await rt.sync();
      const cpu0 = host.cpuSeconds();
      const t0 = performance.now();
      timer?.begin();
      for (let i = 0; i < iterations; i++) await step(index++);
      timer?.end();
      await rt.sync();
      const t1 = performance.now();
      const cpu1 = host.cpuSeconds();
      wallMs.push((t1 - t0) / iterations);
      if (cpu0 && cpu1) {
        cpuProcess.push((cpu1.process - cpu0.process) / iterations);
        if (cpu0.main !== undefined && cpu1.main !== undefined) cpuMain.push((cpu1.main - cpu0.main) / iterations);
        else mainKnown = false;
        if (cpu0.machine !== undefined && cpu1.machine !== undefined) {
          const others = (cpu1.machine - cpu0.machine) - (cpu1.process - cpu0.process);
          otherCores.push(Math.max(0, others) / ((t1 - t0) / 1000));
        }
      } else {
        cpuKnown = false;
      }
      if (timer) {
        const ms = await timer.read();
        if (ms !== null) gpuMs.push(ms / iterations);
      }
    }
  } finally {
    timer?.destroy();
  }
  return {
    iterations,
    wallMs,
    gpuMs: gpuMs.length === runs ? gpuMs : null,
    cpuProcess: cpuKnown ? cpuProcess : null,
    cpuMain: cpuKnown && mainKnown ? cpuMain : null,
    otherCores: otherCores.length === runs ? otherCores : null,
  };
}

/**
 * Iterations per run: the plan's fixed count on SwiftShader, where one iteration already lasts
 * long (and calibrating would cost another), else undefined, so that measure() calibrates a run
 * to its target time: on a GPU one millisecond step per run would time the submit and the wait.
 */
export function planIterations(rt: Runtime, fixed: number): number | undefined {
  return rt.report.swiftshader ? fixed : undefined;
}

/** The runs of several measurements of the same thing as one (e.g. rounds interleaved with another variant). */
export function mergeTimings(timings: readonly Timing[]): Timing {
  const all = <K extends 'gpuMs' | 'cpuProcess' | 'cpuMain' | 'otherCores'>(key: K): number[] | null =>
    timings.every((t) => t[key]) ? timings.flatMap((t) => t[key]!) : null;
  return {
    iterations: timings[0]?.iterations ?? 0,
    wallMs: timings.flatMap((t) => t.wallMs),
    gpuMs: all('gpuMs'),
    cpuProcess: all('cpuProcess'),
    cpuMain: all('cpuMain'),
    otherCores: all('otherCores'),
  };
}

/** How much work one iteration does, to turn ms into the unit. */
export type Work =
  | { unit: 'GFLOP/s'; flops: number }
  | { unit: 'GB/s'; bytes: number }
  | { unit: 'it/s' | 'FPS' }
  | { unit: 'µs' }
  | { unit: 's' };

export function rate(work: Work, ms: number): number {
  switch (work.unit) {
    case 'GFLOP/s': return work.flops / (ms * 1e6);
    case 'GB/s': return work.bytes / (ms * 1e6);
    case 'it/s':
    case 'FPS': return 1000 / ms;
    case 'µs': return ms * 1000;
    case 's': return ms / 1000;
  }
}

export interface ResultOptions {
  suite: string;
  name: string;
  work: Work;
  /** the ceiling in the same unit (e.g. Ceilings.matmulGflops for GFLOP/s figures) */
  ceiling?: number;
  extra?: Result['extra'];
}

export function toResult(timing: Timing, options: ResultOptions): Result {
  const values = timing.wallMs.map((ms) => rate(options.work, ms));
  const s = summarize(values);
  const result: Result = {
    suite: options.suite,
    name: options.name,
    unit: options.work.unit,
    median: s.median,
    min: s.min,
    max: s.max,
    runs: values.length,
    spread: s.spread,
    extra: { iterations: timing.iterations, ...(options.extra ?? {}) },
  };
  if (options.ceiling && options.ceiling > 0) result.roofline = s.median / options.ceiling;
  if (timing.cpuProcess) {
    result.cpu = { process: median(timing.cpuProcess) };
    if (timing.cpuMain) result.cpu.main = median(timing.cpuMain);
  }
  if (timing.gpuMs) result.gpu = median(timing.gpuMs.map((ms) => rate(options.work, ms)));
  if (timing.otherCores) result.extra.otherCores = Number(Math.max(...timing.otherCores).toFixed(2));
  return result;
}

/** A Result from values computed elsewhere (e.g. a ratio of two figures). */
export function resultFromValues(values: number[], options: ResultOptions): Result {
  const s = summarize(values);
  return {
    suite: options.suite, name: options.name, unit: options.work.unit,
    median: s.median, min: s.min, max: s.max, runs: values.length, spread: s.spread,
    ...(options.ceiling ? { roofline: s.median / options.ceiling } : {}),
    extra: options.extra ?? {},
  };
}

// ---------------------------------------------------------------------------------------------
// Reports

export interface AdapterBlock {
  adapter: string;
  vendor: string;
  architecture: string;
  swiftshader: boolean;
  host: string;
  features: string[];
  limits: Record<string, number>;
  /** ISO date of the run */
  date: string;
  /** git commit (short hash) of the engine, when known; `dirty` when the tree had changes */
  commit: string | null;
  environment: Record<string, string | number | boolean | null>;
}

export interface Report {
  suites: string[];
  quick: boolean;
  adapter: AdapterBlock;
  ceilings: Ceilings;
  results: Result[];
  notes: string[];
  errors: { suite: string; message: string }[];
  /** wall seconds of the whole run */
  seconds: number;
}

export function adapterBlock(rt: Runtime, environment: AdapterBlock['environment']): AdapterBlock {
  const r = rt.report;
  const commit = environment.commit;
  return {
    adapter: r.description,
    vendor: r.vendor,
    architecture: r.architecture,
    swiftshader: r.swiftshader,
    host: r.host,
    features: [...r.features],
    limits: { ...r.limits },
    date: new Date().toISOString(),
    commit: typeof commit === 'string' ? commit : null,
    environment: { ...environment, tuning: rt.tuning },
  };
}

/** Three significant digits, no exponent for the usual ranges. */
export function fmt(x: number | undefined | null, digits = 3): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toString();
  return Number(x.toPrecision(digits)).toString();
}

function pct(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${fmt(x * 100, 2)}%`;
}

export function formatAdapter(block: AdapterBlock): string {
  const env = Object.entries(block.environment)
    .filter(([k]) => k !== 'commit')
    .map(([k, v]) => `${k}=${v}`).join(', ');
  const limits = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize']
    .filter((k) => k in block.limits)
    .map((k) => `${k}=${block.limits[k]}`).join(', ');
  return [
    `adapter: ${block.adapter} (vendor ${block.vendor}, architecture ${block.architecture}${block.swiftshader ? ', SwiftShader CPU driver' : ''}), host ${block.host}`,
    `date: ${block.date}   commit: ${block.commit ?? 'unknown'}`,
    `features: ${block.features.join(', ') || 'none'}`,
    `limits: ${limits}`,
    `environment: ${env}`,
  ].join('\n');
}

/** The results as a markdown table (the format of bench/RESULTS.md). */
export function markdownTable(results: readonly Result[]): string {
  const header = ['suite', 'benchmark', 'median', 'unit', 'min–max', 'IQR', 'runs×iters', 'of roofline', 'GPU ts', 'CPU s/iter (proc / main)', 'others'];
  const rows = results.map((r) => [
    r.suite,
    r.name,
    fmt(r.median),
    r.unit,
    `${fmt(r.min)}–${fmt(r.max)}`,
    pct(r.spread),
    `${r.runs}×${r.extra.iterations ?? 1}`,
    pct(r.roofline),
    fmt(r.gpu),
    r.cpu ? `${fmt(r.cpu.process)} / ${fmt(r.cpu.main)}` : '–',
    typeof r.extra.otherCores === 'number' ? fmt(r.extra.otherCores, 2) : '–',
  ]);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function formatReport(report: Report): string {
  const parts = [formatAdapter(report.adapter), '', markdownTable(report.results)];
  if (report.notes.length) parts.push('', ...report.notes.map((n) => `- ${n}`));
  if (report.errors.length) parts.push('', ...report.errors.map((e) => `ERROR in ${e.suite}: ${e.message}`));
  return parts.join('\n');
}

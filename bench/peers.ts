/**
 * The engine against the peer engines (tfjs, jax-js) on the same adapter and in the same process
 * run: our figures and then each peer script (../shared/peers, installed by
 * scripts/install-peers.sh) as a child process, one after the other, never in parallel (2-core
 * host). Each peer prints a `RESULT {json}` line; this suite turns it into a Result and the
 * ratios ours/peer. Two workloads, each a section:
 *   - SIREN training step (bench/siren.ts): runs when the siren suite ran in this process, or
 *     when the cnn suite did not (`--only=peers` alone, `--only=siren,peers`);
 *   - CNN inference (bench/cnn.ts; cnn_jax.mjs, cnn_tfjs.mjs, and onnxruntime-node's CPU as a
 *     reference in full mode): runs when the cnn suite ran in this process (`--only=cnn,peers`).
 *
 * Waiting: the peers run with dawn.node's default (DAWN_POLL_MS unset: the JS thread busy-polls
 * while a GPU promise is pending), which is our 'spin'; our default 'backoff' is closer to their
 * DAWN_POLL_MS=1. Both of ours are reported, so each ratio can be read with the same wait on
 * both sides. Peers never become dependencies: they live in a cache directory outside the repo.
 *
 * Node-only (child processes, files): registered in bench/run.ts, not in the portable suites.ts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchContext, type Result, type Suite, fmt, resultFromValues } from './harness.ts';
import { OUTPUT_TOLERANCE, PEER_OUTPUT, checkCnn, cnnCeiling, cnnFigure, cnnFlops, cnnSuiteRan, disposeCnnWorkloads, measureCnn } from './cnn.ts';
import {
  LOSS_TOLERANCE, PEER_LOSSES_64, checkFirstLosses, distanceFromRange, matmulCeiling, measureSiren, sirenFigure, sirenFlops,
  type WaitStrategy,
} from './siren.ts';

const SUITE = 'peers';
const PEERS_ENV = 'FUSEGRAD_PEERS_DIR';

/** Where scripts/install-peers.sh puts the peers: $FUSEGRAD_PEERS_DIR (run.ts --peers=DIR sets it), else ~/.cache/fusegrad-peers. */
export function peersDir(): string {
  if (process.env[PEERS_ENV]) return path.resolve(process.env[PEERS_ENV]);
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'fusegrad-peers');
}

function installed(dir: string, scripts: string[]): boolean {
  return [...scripts, 'common.mjs'].every((f) => fs.existsSync(path.join(dir, f)))
    && fs.existsSync(path.join(dir, 'node_modules', 'webgpu'));
}

/** One peer script invocation. */
interface PeerRun {
  /** as in the RESULT line: jax-js-webgpu, tfjs-webgpu, … */
  peer: string;
  script: 'siren_jax.mjs' | 'siren_tfjs.mjs' | 'cnn_jax.mjs' | 'cnn_tfjs.mjs' | 'cnn_ort.mjs';
  args: string[];
  size: number;
  /** extra environment, e.g. DAWN_POLL_MS=1 */
  env?: Record<string, string>;
  /** how the peer waits for the GPU, for the table */
  wait: string;
  /** WebGPU peers compare with our same-wait figure; CPU peers (wasm, cpu) do not wait on a GPU */
  webgpu: boolean;
  /** run in quick mode too */
  quick: boolean;
}

const DAWN_DEFAULT = 'dawn.node default (busy poll)';
const DAWN_POLL = 'DAWN_POLL_MS=1 (1 ms timer)';

/**
 * Short runs: on SwiftShader a jax-js-webgpu step at 64² takes ~4 s, tfjs-webgpu ~25 s, and 128²
 * four times that. The loss check (--check) runs first and doubles as the compile warm-up.
 */
function peerRuns(): PeerRun[] {
  const slow = ['--warmup=0', '--iters=1'];
  const jax = (size: number, runs: number, extra: Partial<PeerRun> = {}): PeerRun => ({
    peer: 'jax-js-webgpu', script: 'siren_jax.mjs', size, wait: DAWN_DEFAULT, webgpu: true, quick: true,
    args: ['--device=webgpu', `--size=${size}`, `--check=${size === 64 ? 5 : 1}`, ...slow, `--runs=${runs}`], ...extra,
  });
  const tfjs = (size: number, runs: number, extra: Partial<PeerRun> = {}): PeerRun => ({
    peer: 'tfjs-webgpu', script: 'siren_tfjs.mjs', size, wait: DAWN_DEFAULT, webgpu: true, quick: true,
    args: ['--backend=webgpu', `--size=${size}`, '--check=1', ...slow, `--runs=${runs}`], ...extra,
  });
  const cpu = (peer: string, script: PeerRun['script'], flag: string, size: number, args: string[]): PeerRun => ({
    peer, script, size, wait: 'none (CPU)', webgpu: false, quick: false,
    args: [flag, `--size=${size}`, '--check=1', ...args],
  });
  return [
    jax(64, 3),
    tfjs(64, 2),
    jax(128, 2),
    tfjs(128, 2, { quick: false }),
    // Full mode: the peers with the 1 ms poll (comparable with our backoff), and their CPU backends.
    jax(64, 3, { env: { DAWN_POLL_MS: '1' }, wait: DAWN_POLL, quick: false }),
    cpu('jax-js-wasm', 'siren_jax.mjs', '--device=wasm', 64, ['--warmup=1', '--runs=3', '--max-sec=20']),
    cpu('jax-js-wasm', 'siren_jax.mjs', '--device=wasm', 128, ['--warmup=1', '--runs=3', '--max-sec=30']),
    cpu('tfjs-wasm', 'siren_tfjs.mjs', '--backend=wasm', 64, ['--warmup=1', '--runs=3', '--max-sec=20']),
    cpu('tfjs-cpu', 'siren_tfjs.mjs', '--backend=cpu', 64, ['--warmup=0', '--runs=2', '--iters=1']),
  ];
}

/** The peer's RESULT line (siren_*.mjs report()). */
interface PeerResult {
  peer: string;
  H: number;
  W: number;
  itPerSec: number;
  runs: number[];
  iters: number;
  gflops: number;
  losses: number[];
}

interface PeerOutcome<R = PeerResult> {
  result: R | null;
  seconds: number;
  /** CPU seconds the peer process used (from /proc, sampled), when known */
  cpuSeconds: number | null;
  /** cores busy with other processes meanwhile (machine CPU − the peer's − ours, over wall time), when known */
  otherCores: number | null;
  error?: string;
  lines: string[];
}

const TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** Busy CPU seconds of the whole machine, from /proc/stat (as host-node.ts counts them). */
function machineBusySeconds(): number | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + (steal || 0)) / TICKS;
  } catch {
    return null;
  }
}

const ownCpuSeconds = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/** Runs one peer script to completion (or `timeoutSeconds`), collecting its output. */
function runPeer<R = PeerResult>(dir: string, run: PeerRun, timeoutSeconds: number, log: (line: string) => void): Promise<PeerOutcome<R>> {
  return new Promise((resolve) => {
    const started = performance.now();
    const machine0 = machineBusySeconds();
    const own0 = ownCpuSeconds();
    const env = { ...process.env, ...run.env };
    // Same wait setting as documented: drop an inherited DAWN_POLL_MS unless this run asks for it.
    if (!run.env?.DAWN_POLL_MS) delete env.DAWN_POLL_MS;
    const child = spawn(process.execPath, [run.script, ...run.args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let result: R | null = null;
    let cpuSeconds: number | null = null;
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        if (line.startsWith('RESULT ')) {
          try {
            result = JSON.parse(line.slice('RESULT '.length)) as R;
          } catch {
            // reported below as a missing result
          }
        } else if (/^(losses|median|iters\/run|tfjs |jax-js |onnxruntime-|first frame|frames\/run)/.test(line)) {
          log(`peers:   ${line}`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // The peer's CPU time, sampled until it exits (a child's rusage is not exposed by spawn).
    const sampler = setInterval(() => {
      if (child.pid !== undefined) cpuSeconds = processCpuSeconds(child.pid) ?? cpuSeconds;
    }, 500);
    const timer = setTimeout(() => {
      lines.push(`(killed after ${timeoutSeconds} s)`);
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    const done = (error?: string): void => {
      clearInterval(sampler);
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const machine1 = machineBusySeconds();
      // The peer's last sample is at most 0.5 s old: others are slightly overcounted, never hidden.
      const otherCores = machine0 !== null && machine1 !== null && cpuSeconds !== null
        ? Math.max(0, machine1 - machine0 - cpuSeconds - (ownCpuSeconds() - own0)) / seconds : null;
      resolve({ result, seconds, cpuSeconds, otherCores, lines, ...(error ? { error } : {}) });
    };
    child.on('error', (err) => done(err.message));
    child.on('close', (code, signal) => {
      if (result) done();
      else done(`exit ${code ?? signal}; last lines: ${lines.slice(-4).join(' | ')}`);
    });
  });
}

/**
 * The runs as given on a CPU adapter. On a GPU a step or a frame takes milliseconds, so one per run
 * would time the submit and the wait, not the work: there the peers choose their own iterations per
 * run (their --max-sec rule, as our measure() calibrates) after a few warm-ups. Their CPU backends
 * are left out on a GPU, where the comparison is between WebGPU engines.
 */
function forAdapter(runs: PeerRun[], gpu: boolean): PeerRun[] {
  if (!gpu) return runs;
  return runs.filter((r) => r.webgpu).map((r) => ({
    ...r,
    args: [...r.args.filter((a) => !/^--(iters|runs|warmup|max-sec)=/.test(a)), '--warmup=3', '--runs=5', '--max-sec=2.5'],
  }));
}

const timeoutFor = (run: PeerRun): number => (run.peer === 'tfjs-webgpu' ? 900 : 600) * (run.size > 64 ? 2 : 1);

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a !== undefined && b !== undefined && b > 0 ? a / b : null;
}

const times = (x: number | null): string => (x === null ? '–' : `×${fmt(x)}`);

/** Targets of issue 4/7: ours over jax-js-webgpu and tfjs-webgpu. */
const TARGETS: Record<string, number> = { 'jax-js-webgpu': 2.5, 'tfjs-webgpu': 10 };

/** The SIREN section: ours (both waits) and each SIREN peer script. */
async function sirenPeers(ctx: BenchContext, dir: string): Promise<Result[]> {
  const rt = await ctx.runtime();
  const runs = forAdapter(peerRuns().filter((r) => !ctx.quick || r.quick), !rt.report.swiftshader);
  const sizes = [...new Set(runs.map((r) => r.size))].sort((a, b) => a - b);
  const results: Result[] = [];

  // Ours first (or this process's figures from the siren suite), then the peers.
  const ourLosses = await checkFirstLosses(ctx);
  const ours = new Map<string, Result>();
  for (const size of sizes) {
    for (const wait of ['backoff', 'spin'] as WaitStrategy[]) {
      const existed = sirenFigure(size, wait) !== undefined;
      const r = await measureSiren(ctx, size, wait);
      ours.set(`${size}/${wait}`, r);
      if (!existed) results.push(r);
    }
  }
  const ceiling = await matmulCeiling(ctx, rt);

  const table: string[][] = [];
  const header = ['size', 'engine', 'wait', 'it/s (median)', 'runs', 'GFLOP/s', 'of roofline', 'ours backoff / it', 'ours spin / it', 'others (cores)', 'first losses'];
  for (const size of sizes) {
    for (const wait of ['backoff', 'spin'] as WaitStrategy[]) {
      const r = ours.get(`${size}/${wait}`)!;
      table.push([`${size}²`, 'fusegrad (replayed step)', wait === 'spin' ? 'spin (= dawn.node default)' : 'backoff (fusegrad default)', fmt(r.median), `${r.runs}×${r.extra.iterations}`,
        fmt(r.extra.gflops as number), r.roofline !== undefined ? `${fmt(r.roofline * 100, 2)}%` : '–', '', '',
        typeof r.extra.otherCores === 'number' ? fmt(r.extra.otherCores, 2) : '–',
        size === 64 ? ourLosses.map((v) => v.toPrecision(5)).join(' ') : '']);
    }
  }

  for (const run of runs) {
    ctx.log(`peers: ${run.peer} ${run.size}²${run.env ? ` (${Object.entries(run.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}: node ${run.script} ${run.args.join(' ')}`);
    const load = os.loadavg()[0];
    const outcome = await runPeer(dir, run, timeoutFor(run), ctx.log);
    ctx.log(`peers: ${run.peer} ${run.size}²: ${outcome.seconds.toFixed(0)} s`);
    const name = `${run.peer} ${run.size}² (${run.wait})`;
    const p = outcome.result;
    if (!p || !Array.isArray(p.runs) || p.runs.length === 0) {
      ctx.notes.push(`peers: ${name} failed: ${outcome.error ?? 'no RESULT line'}`);
      continue;
    }
    const flops = sirenFlops(p.H * p.W);
    const backoff = ours.get(`${run.size}/backoff`);
    const spin = ours.get(`${run.size}/spin`);
    const r = resultFromValues(p.runs, {
      suite: SUITE, name, work: { unit: 'it/s' },
      extra: {
        peer: p.peer, size: run.size, wait: run.wait, iterations: p.iters, script: `${run.script} ${run.args.join(' ')}`,
        gflops: (p.itPerSec * flops) / 1e9, losses: p.losses.map((v) => v.toPrecision(6)).join(' '),
        oursBackoffOverPeer: ratio(backoff?.median, p.itPerSec), oursSpinOverPeer: ratio(spin?.median, p.itPerSec),
        seconds: Number(outcome.seconds.toFixed(0)), peerCpuSeconds: outcome.cpuSeconds,
        otherCores: outcome.otherCores === null ? null : Number(outcome.otherCores.toFixed(2)), loadAverageAtStart: Number(load.toFixed(2)),
      },
    });
    r.median = p.itPerSec; // the peer's own median (same runs)
    if (ceiling) r.roofline = (p.itPerSec * flops) / 1e9 / ceiling.gflops;
    results.push(r);

    // The peers' losses must match ours (same init and data): else the ratio compares different work.
    if (run.size === 64) {
      const worst = Math.max(...p.losses.map((v, i) => distanceFromRange(v, PEER_LOSSES_64[i] ?? [ourLosses[i], ourLosses[i]])));
      if (!(worst <= LOSS_TOLERANCE)) ctx.notes.push(`peers: ${name} first losses ${r.extra.losses} are off the reference (${worst.toExponential(1)})`);
    }
    const same = run.webgpu ? (run.wait === DAWN_DEFAULT ? ratio(spin?.median, p.itPerSec) : ratio(backoff?.median, p.itPerSec)) : null;
    table.push([`${run.size}²`, p.peer, run.wait, fmt(p.itPerSec), `${p.runs.length}×${p.iters}`, fmt(r.extra.gflops as number),
      r.roofline !== undefined ? `${fmt(r.roofline * 100, 2)}%` : '–',
      times(r.extra.oursBackoffOverPeer as number | null), times(r.extra.oursSpinOverPeer as number | null),
      outcome.otherCores === null ? '–' : fmt(outcome.otherCores, 2),
      p.losses.map((v) => v.toPrecision(5)).join(' ')]);
    const target = TARGETS[p.peer];
    if (target && run.wait === DAWN_DEFAULT) {
      // Judged with the same wait on both sides (ours spin vs dawn.node's busy poll), the stricter reading.
      ctx.notes.push(`peers ${run.size}²: ours/${p.peer}: ${times(r.extra.oursBackoffOverPeer as number | null)} (ours backoff), ` +
        `${times(same)} (ours spin, same wait as the peer); target ≥ ×${target} at the same wait: ${same !== null && same >= target ? 'met' : 'not met'}`);
    } else if (run.webgpu) {
      ctx.notes.push(`peers ${run.size}²: ours/${p.peer} with ${run.wait}: ${times(same)} (ours backoff, comparable wait)`);
    }
  }

  const contended = [...new Set([...results, ...ours.values()])].filter((r) => typeof r.extra.otherCores === 'number' && (r.extra.otherCores as number) >= 0.3);
  if (contended.length) {
    ctx.notes.push(`peers: measured while other processes used ≥ 0.3 cores (on a 2-core SwiftShader host that slows the figure; compare with care): ${contended.map((r) => `${r.name} (${fmt(r.extra.otherCores as number, 2)})`).join(', ')}`);
  }
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const markdown = [line(header), line(header.map(() => '---')), ...table.map(line)].join('\n');
  ctx.log(`peers: SIREN 5×256 training step, ours vs peers (ratios: ours it/s over the peer's)\n${markdown}`);
  if (ceiling) ctx.notes.push(`peers: "of roofline" = GFLOP/s (1,183,232·N per step) over the matmul ceiling of ${ceiling.source} (${fmt(ceiling.gflops)} GFLOP/s)`);
  ctx.notes.push(`peers: run one after the other in this process from ${dir}; peers wait with ${DAWN_DEFAULT} unless marked`);
  return results;
}

// ---------------------------------------------------------------------------------------------
// CNN inference (bench/cnn.ts): ours with readback per frame against cnn_jax.mjs and cnn_tfjs.mjs

/** The peer's RESULT line (cnn_*.mjs report()); y[1000] comes from its "first frame" line. */
interface CnnPeerResult {
  peer: string;
  H: number;
  W: number;
  fps: number;
  runs: number[];
  iters: number;
  gflops: number;
  outMean: number;
  outAbsMean: number;
}

/** Targets of the CNN issue: ours over jax-js-webgpu and tfjs-webgpu (frames/s, readback per frame). */
const CNN_TARGETS: Record<string, number> = { 'jax-js-webgpu': 10, 'tfjs-webgpu': 100 };

/**
 * Short runs: on SwiftShader (2 cores, idle) a 256² frame takes ~27 s on jax-js-webgpu and ~85 s
 * on tfjs-webgpu (peers README), 64² about a sixteenth plus overheads. Each script's first frame
 * (output check, pipeline compilation) is untimed and serves as the warm-up, so --warmup=0; one
 * frame per run. tfjs-webgpu 256² is the exception to "under 2 min": its minimum (first frame + one
 * timed frame) is about 3 min.
 */
function cnnPeerRuns(): PeerRun[] {
  const jax = (size: number, runs: number, extra: Partial<PeerRun> = {}): PeerRun => ({
    peer: 'jax-js-webgpu', script: 'cnn_jax.mjs', size, wait: DAWN_DEFAULT, webgpu: true, quick: size <= 64,
    args: ['--device=webgpu', `--size=${size}`, '--warmup=0', '--iters=1', `--runs=${runs}`], ...extra,
  });
  const tfjs = (size: number, runs: number, extra: Partial<PeerRun> = {}): PeerRun => ({
    peer: 'tfjs-webgpu', script: 'cnn_tfjs.mjs', size, wait: DAWN_DEFAULT, webgpu: true, quick: size <= 64,
    args: ['--backend=webgpu', `--size=${size}`, '--warmup=0', '--iters=1', `--runs=${runs}`], ...extra,
  });
  return [
    jax(64, 3),
    tfjs(64, 2),
    jax(256, 2),
    tfjs(256, 1),
    // Full mode: jax-js with the 1 ms poll (comparable with our backoff), and a CPU engine for scale.
    jax(64, 3, { env: { DAWN_POLL_MS: '1' }, wait: DAWN_POLL, quick: false }),
    {
      peer: 'onnxruntime-node-cpu', script: 'cnn_ort.mjs', size: 256, wait: 'none (CPU, 2 threads)', webgpu: false, quick: false,
      args: ['--rt=node', '--ep=cpu', '--threads=2', '--size=256', '--warmup=1', '--runs=3', '--max-sec=15'],
    },
  ];
}

const cnnTimeoutFor = (run: PeerRun): number => (run.size > 64 ? (run.peer === 'tfjs-webgpu' ? 600 : 400) : 300);

/** The CNN section: ours (readback per frame, both waits; GPU only for reference) and each CNN peer script. */
async function cnnPeers(ctx: BenchContext, dir: string): Promise<Result[]> {
  const rt = await ctx.runtime();
  const runs = forAdapter(cnnPeerRuns().filter((r) => !ctx.quick || r.quick), !rt.report.swiftshader);
  const sizes = [...new Set(runs.map((r) => r.size))].sort((a, b) => a - b);
  const results: Result[] = [];
  const ours = new Map<string, Result>();
  const checks = new Map<number, Awaited<ReturnType<typeof checkCnn>>>();
  try {
    for (const size of sizes) {
      checks.set(size, await checkCnn(ctx, size));
      for (const [mode, wait] of [['readback', 'backoff'], ['readback', 'spin'], ['gpu', 'backoff']] as const) {
        const existed = cnnFigure(size, mode, wait) !== undefined; // measured by the cnn suite: in its rows already
        const r = await measureCnn(ctx, size, mode, wait);
        ours.set(`${size}/${mode}/${wait}`, r);
        if (!existed) results.push(r);
      }
    }
  } finally {
    disposeCnnWorkloads();
  }
  const ceiling = await cnnCeiling(ctx, rt);

  const table: string[][] = [];
  const header = ['size', 'engine', 'wait', 'FPS (median)', 'runs×frames', 'GFLOP/s', 'of roofline', 'ours backoff / peer', 'ours spin / peer', 'others (cores)', 'output mean / y[1000]'];
  const pct = (x: number | undefined): string => (x !== undefined ? `${fmt(x * 100, 2)}%` : '–');
  for (const size of sizes) {
    const check = checks.get(size)!;
    for (const [mode, wait, shown] of [
      ['readback', 'backoff', 'backoff (fusegrad default), readback'], ['readback', 'spin', 'spin (= dawn.node default), readback'], ['gpu', 'backoff', 'backoff, GPU only (no readback)'],
    ] as const) {
      const r = ours.get(`${size}/${mode}/${wait}`)!;
      table.push([`${size}²`, 'fusegrad', shown, fmt(r.median), `${r.runs}×${r.extra.iterations}`, fmt(r.extra.gflops as number), pct(r.roofline), '', '',
        typeof r.extra.otherCores === 'number' ? fmt(r.extra.otherCores, 2) : '–',
        mode === 'readback' && wait === 'backoff' ? `${check.mean.toPrecision(6)} / ${check.y1000.toPrecision(6)}` : '']);
    }
  }

  for (const run of runs) {
    ctx.log(`peers: CNN ${run.peer} ${run.size}²${run.env ? ` (${Object.entries(run.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}: node ${run.script} ${run.args.join(' ')}`);
    const load = os.loadavg()[0];
    const outcome = await runPeer<CnnPeerResult>(dir, run, cnnTimeoutFor(run), ctx.log);
    ctx.log(`peers: CNN ${run.peer} ${run.size}²: ${outcome.seconds.toFixed(0)} s`);
    const name = `CNN ${run.peer} ${run.size}² (${run.wait})`;
    const p = outcome.result;
    if (!p || !Array.isArray(p.runs) || p.runs.length === 0) {
      ctx.notes.push(`peers: ${name} failed: ${outcome.error ?? 'no RESULT line'}`);
      continue;
    }
    const y1000Line = outcome.lines.map((l) => /y\[1000\]=(\S+)/.exec(l)).find((m) => m);
    const y1000 = y1000Line ? Number(y1000Line[1]) : NaN;
    const flops = cnnFlops(p.H, p.W);
    const backoff = ours.get(`${run.size}/readback/backoff`);
    const spin = ours.get(`${run.size}/readback/spin`);
    const r = resultFromValues(p.runs, {
      suite: SUITE, name, work: { unit: 'FPS' },
      extra: {
        peer: p.peer, size: run.size, wait: run.wait, iterations: p.iters, script: `${run.script} ${run.args.join(' ')}`,
        gflops: (p.fps * flops) / 1e9, outputMean: p.outMean, y1000: Number.isFinite(y1000) ? y1000 : null,
        oursBackoffOverPeer: ratio(backoff?.median, p.fps), oursSpinOverPeer: ratio(spin?.median, p.fps),
        seconds: Number(outcome.seconds.toFixed(0)), peerCpuSeconds: outcome.cpuSeconds,
        otherCores: outcome.otherCores === null ? null : Number(outcome.otherCores.toFixed(2)), loadAverageAtStart: Number(load.toFixed(2)),
      },
    });
    r.median = p.fps; // the peer's own median (same runs)
    if (ceiling) r.roofline = (p.fps * flops) / 1e9 / ceiling.gflops;
    results.push(r);

    // The peer's output must be ours (same weights and input): else the ratio compares different work.
    const check = checks.get(run.size);
    const rel = (a: number, b: number | undefined): number => (b === undefined ? 0 : Math.abs(a - b) / Math.abs(b));
    const meanOff = rel(p.outMean, check?.mean ?? PEER_OUTPUT[run.size]?.mean);
    const yOff = Number.isFinite(y1000) ? rel(y1000, check?.y1000 ?? PEER_OUTPUT[run.size]?.y1000) : 0;
    if (!(meanOff <= OUTPUT_TOLERANCE && yOff <= OUTPUT_TOLERANCE)) {
      ctx.notes.push(`peers: ${name} output mean ${p.outMean} / y[1000] ${y1000} differ from ours (${check?.mean} / ${check?.y1000}): the ratio compares different work`);
    }
    const same = run.webgpu ? (run.wait === DAWN_DEFAULT ? ratio(spin?.median, p.fps) : ratio(backoff?.median, p.fps)) : null;
    table.push([`${run.size}²`, p.peer, run.wait, fmt(p.fps), `${p.runs.length}×${p.iters}`, fmt(r.extra.gflops as number), pct(r.roofline),
      times(r.extra.oursBackoffOverPeer as number | null), times(r.extra.oursSpinOverPeer as number | null),
      outcome.otherCores === null ? '–' : fmt(outcome.otherCores, 2),
      `${p.outMean.toPrecision(6)} / ${Number.isFinite(y1000) ? y1000.toPrecision(6) : '–'}`]);
    const target = CNN_TARGETS[p.peer];
    if (target && run.wait === DAWN_DEFAULT) {
      ctx.notes.push(`peers CNN ${run.size}²: ours/${p.peer} (FPS, readback per frame): ${times(r.extra.oursBackoffOverPeer as number | null)} (ours backoff), ` +
        `${times(same)} (ours spin, same wait as the peer); target ≥ ×${target} at the same wait: ${same !== null && same >= target ? 'met' : 'not met'}`);
    } else if (run.webgpu) {
      ctx.notes.push(`peers CNN ${run.size}²: ours/${p.peer} with ${run.wait}: ${times(same)} (ours backoff, comparable wait)`);
    }
  }

  const contended = [...new Set([...results, ...ours.values()])].filter((r) => typeof r.extra.otherCores === 'number' && (r.extra.otherCores as number) >= 0.3);
  if (contended.length) {
    ctx.notes.push(`peers CNN: measured while other processes used ≥ 0.3 cores (on a 2-core SwiftShader host that slows the figure; compare with care): ${contended.map((r) => `${r.name} (${fmt(r.extra.otherCores as number, 2)})`).join(', ')}`);
  }
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const markdown = [line(header), line(header.map(() => '---')), ...table.map(line)].join('\n');
  ctx.log(`peers: CNN inference 7×conv3×3 64ch, ours vs peers (frames/s; ratios: ours FPS with readback over the peer's)\n${markdown}`);
  if (ceiling) ctx.notes.push(`peers CNN: "of roofline" = conv GFLOP/s (24.31 GFLOP per 256² frame) over the matmul ceiling ${fmt(ceiling.gflops)} GFLOP/s (${ceiling.source})`);
  ctx.notes.push(`peers CNN: run one after the other in this process from ${dir}; peers read every frame back and wait with ${DAWN_DEFAULT} unless marked`);
  return results;
}

// ---------------------------------------------------------------------------------------------

const SIREN_SCRIPTS = ['siren_jax.mjs', 'siren_tfjs.mjs'];
const CNN_SCRIPTS = ['cnn_jax.mjs', 'cnn_tfjs.mjs'];

export const peers: Suite = {
  name: SUITE,
  description: 'ours vs the peer engines (jax-js, tfjs; webgpu, and CPU backends in full mode), run one after the other on the same adapter; ratios ours/peer. ' +
    'SIREN step when siren ran too or cnn did not (--only=peers, --only=siren,peers); CNN inference when cnn ran (--only=cnn,peers)',
  async run(ctx) {
    const dir = peersDir();
    const withCnn = cnnSuiteRan();
    const withSiren = sirenFigure(64, 'backoff') !== undefined || !withCnn;
    const results: Result[] = [];
    for (const [section, scripts, run] of [
      ['SIREN', SIREN_SCRIPTS, withSiren ? sirenPeers : null],
      ['CNN', CNN_SCRIPTS, withCnn ? cnnPeers : null],
    ] as const) {
      if (!run) continue;
      if (!installed(dir, scripts)) {
        ctx.log(`peers: ${section} skipped: no installed peers (${scripts.join(', ')}) in ${dir}; run scripts/install-peers.sh (or pass --peers=DIR / set ${PEERS_ENV})`);
        ctx.notes.push(`peers: ${section} skipped (not installed in ${dir}; run scripts/install-peers.sh)`);
        continue;
      }
      results.push(...await run(ctx, dir));
    }
    return results;
  },
};

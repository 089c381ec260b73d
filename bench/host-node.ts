/**
 * The Node side of the benchmarks: CPU time (process and JS main thread), machine and git
 * facts for the adapter block, and the bench/out/ JSON files. Everything Node-only lives here
 * and in run.ts, so that the suites themselves can be bundled for headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ceilings, Host, Report } from './harness.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.dirname(benchDir);
export const outDir = path.join(benchDir, 'out');

// utime + stime of the main thread (tid = pid), in clock ticks, from /proc (Linux only).
// process.threadCpuUsage() would do this, but only from Node 23.9.
const mainThreadStat = `/proc/${process.pid}/task/${process.pid}/stat`;
const hasProcStat = fs.existsSync(mainThreadStat);
const CLOCK_TICKS_PER_SECOND = 100; // sysconf(_SC_CLK_TCK) on every Linux we run on

function mainThreadSeconds(): number | undefined {
  if (!hasProcStat) return undefined;
  const stat = fs.readFileSync(mainThreadStat, 'utf8');
  // The command name (field 2) may contain spaces; the numeric fields start after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

// Busy CPU seconds of the whole machine (all processes), from /proc/stat: the benchmark's own
// process CPU subtracted from it tells how much else ran during a measurement.
function machineBusySeconds(): number | undefined {
  if (!hasProcStat) return undefined;
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS_PER_SECOND;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function packageVersion(name: string): string | null {
  try {
    const file = path.join(repoDir, 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export const nodeHost: Host = {
  kind: 'node',
  cpuSeconds() {
    const u = process.cpuUsage();
    return { process: (u.user + u.system) / 1e6, main: mainThreadSeconds(), machine: machineBusySeconds() };
  },
  async environment() {
    const hash = git(['rev-parse', '--short', 'HEAD']);
    // Others edit the tree while benchmarks run: say when the figures are not from a clean commit.
    const dirty = hash ? (git(['status', '--porcelain', '--untracked-files=no', '--', 'src', 'shaders']) ?? '') !== '' : null;
    const cpus = os.cpus();
    return {
      commit: hash ? `${hash}${dirty ? '+dirty' : ''}` : null,
      machine: `${cpus[0]?.model.trim() ?? 'unknown CPU'} ×${cpus.length}`,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      webgpu: `dawn.node (webgpu ${packageVersion('webgpu') ?? '?'})`,
      vkIcd: process.env.VK_ICD_FILENAMES ?? null,
      // overrides of the engine's kernel choices (src/gpu/runtime.ts, src/ops/matmul_kernel.ts)
      tuningOverride: process.env.FUSEGRAD_TUNING ?? null,
      matmulBlockOverride: process.env.FUSEGRAD_MATMUL_BLOCK ?? null,
      // The host is shared: a busy machine explains slow figures.
      loadAverageAtStart: Number(os.loadavg()[0].toFixed(2)),
    };
  },
  log(line) {
    process.stderr.write(`${line}\n`);
  },
};

export function writeReport(report: Report): string {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.adapter.date.replace(/[:.]/g, '-');
  const file = path.join(outDir, `${report.suites.join('+')}-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/**
 * Ceilings of the newest earlier report for the same adapter and host, so that
 * `--only=matmul` still has a roofline column. Quick-mode ceilings are used only when no full one exists.
 */
export function loadCeilings(adapter: string, host: string): Ceilings | null {
  if (!fs.existsSync(outDir)) return null;
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.json'))
    .map((f) => path.join(outDir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  let fallback: Ceilings | null = null;
  for (const file of files) {
    try {
      const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
      if (r.adapter?.adapter !== adapter || r.adapter?.host !== host || !r.suites?.includes('roofline')) continue;
      if (!r.ceilings?.matmulGflops) continue;
      const c = { ...r.ceilings, source: path.relative(repoDir, file) };
      if (!r.quick) return c;
      fallback ??= c;
    } catch {
      // a half-written or foreign file: skip it
    }
  }
  return fallback;
}

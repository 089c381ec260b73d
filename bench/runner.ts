/**
 * Runs a selection of suites on one adapter and gathers their results into a Report.
 * Portable: the host (Node or a page) passes in what only it can do (host-node.ts for Node).
 */
import { init, shutdown } from '../src/index.ts';
import { type BenchContext, type Ceilings, type Host, type Report, type Result, type Suite, adapterBlock } from './harness.ts';

export interface RunOptions {
  suites: readonly Suite[];
  /** suite names to run; all when absent */
  only?: readonly string[];
  quick: boolean;
  host: Host;
  /** ceilings from an earlier report, used when the roofline suite is not part of this run */
  previousCeilings?: (adapter: string, host: string) => Ceilings | null;
}

export function selectSuites(suites: readonly Suite[], only?: readonly string[]): Suite[] {
  if (!only || only.length === 0) return [...suites];
  const unknown = only.filter((name) => !suites.some((s) => s.name === name));
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  return suites.filter((s) => only.includes(s.name));
}

export async function runBench(options: RunOptions): Promise<Report> {
  const selected = selectSuites(options.suites, options.only);
  const started = performance.now();
  const rt = await init({ quiet: true });
  const adapter = adapterBlock(rt, await options.host.environment());
  const ceilings: Ceilings = selected.some((s) => s.name === 'roofline')
    ? {}
    : options.previousCeilings?.(adapter.adapter, adapter.host) ?? {};
  const notes: string[] = [];
  if (ceilings.source) notes.push(`roofline fractions use the ceilings of ${ceilings.source}`);
  const ctx: BenchContext = {
    quick: options.quick,
    host: options.host,
    // init() hands back the live runtime, or makes a default one after a suite shut its own down.
    runtime: () => init({ quiet: true }),
    ceilings,
    notes,
    log: (line) => options.host.log(line),
  };
  const results: Result[] = [];
  const errors: Report['errors'] = [];
  try {
    for (const suite of selected) {
      const t0 = performance.now();
      try {
        results.push(...await suite.run(ctx));
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        errors.push({ suite: suite.name, message });
        ctx.log(`${suite.name}: FAILED: ${message}`);
      }
      ctx.log(`${suite.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    shutdown();
  }
  return {
    suites: selected.map((s) => s.name),
    quick: options.quick,
    adapter,
    ceilings,
    results,
    notes,
    errors,
    seconds: (performance.now() - started) / 1000,
  };
}

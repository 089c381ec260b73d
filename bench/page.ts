/**
 * The benchmark suites in a web page (bundled and driven by bench/chrome.ts): the same suites,
 * runner and report as Node, with a browser Host (no CPU-time figures: a page cannot read them).
 * Query: ?quick=1&only=roofline,cnn&commit=abc123. The report lands in window.__fusegradBench
 * (or the error in window.__fusegradBenchError); progress goes to the console.
 */
import type { Host, Report } from './harness.ts';
import { runBench } from './runner.ts';
import { SUITES } from './suites.ts';

declare global {
  interface Window {
    __fusegradBench?: Report;
    __fusegradBenchError?: string;
  }
}

const query = new URLSearchParams(location.search);

const browserHost: Host = {
  kind: 'browser',
  cpuSeconds: () => null,
  async environment() {
    return {
      commit: query.get('commit'),
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
    };
  },
  log(line) {
    console.log(line);
  },
};

runBench({
  suites: SUITES,
  only: query.get('only')?.split(',').filter(Boolean),
  quick: query.get('quick') === '1',
  host: browserHost,
}).then(
  (report) => { window.__fusegradBench = report; },
  (err: unknown) => { window.__fusegradBenchError = err instanceof Error ? (err.stack ?? err.message) : String(err); },
);

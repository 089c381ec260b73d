/**
 * npm run bench:chrome [-- --quick] [--only=roofline,cnn]: the benchmark suites in headless
 * Chromium (Debian's /usr/bin/chromium, or $FUSEGRAD_CHROMIUM) through playwright-core, with
 * WebGPU on (SwiftShader where there is no GPU). The same suites and runner as `npm run bench`:
 * bench/page.ts is bundled with esbuild (shaders inlined), served from memory on 127.0.0.1, and
 * its report is printed as the same table and written to bench/out/chrome-<suites>-<time>.json.
 * The roofline suite runs first by default, so every row has its fraction of this host's ceiling
 * (ceilings from Node runs are not reused: a browser is a different host).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { formatReport, type Report } from './harness.ts';
import { nodeOnlyStubs, shaderBanner, shaderTable } from '../scripts/lib/bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.FUSEGRAD_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TIMEOUT_MS = 60 * 60 * 1000;

function parseArgs(argv: string[]): { quick: boolean; only?: string } {
  const out: { quick: boolean; only?: string } = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') out.quick = true;
    else if (arg.startsWith('--only=')) out.only = arg.slice(7);
    else if (arg === '--only' && argv[i + 1]) out.only = argv[++i];
    else {
      process.stderr.write(`bench:chrome: unknown argument ${arg} (usage: npm run bench:chrome -- [--quick] [--only=roofline,cnn])\n`);
      process.exit(2);
    }
  }
  return out;
}

async function bundle(): Promise<string> {
  const result = await build({
    absWorkingDir: root, entryPoints: ['bench/page.ts'], bundle: true, format: 'esm', platform: 'browser',
    target: ['chrome113'], write: false, logLevel: 'warning', banner: shaderBanner(shaderTable(root)), plugins: [nodeOnlyStubs],
  });
  return result.outputFiles[0].text;
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`bench:chrome: no Chromium at ${CHROMIUM}; install Debian's chromium (FUSEGRAD_WITH_CHROMIUM=1 scripts/setup.sh) or set FUSEGRAD_CHROMIUM\n`);
    return 2;
  }
  const script = await bundle();
  const html = '<!doctype html><meta charset="utf-8"><title>fusegrad bench</title><script type="module" src="/bench.js"></script>';
  const server = createServer((req, res) => {
    const js = req.url === '/bench.js';
    res.writeHead(js || req.url?.startsWith('/?') || req.url === '/' ? 200 : 404, { 'content-type': js ? 'text/javascript' : 'text/html' });
    res.end(js ? script : html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => process.stderr.write(`chrome: ${m.text()}\n`));
    page.on('pageerror', (e) => process.stderr.write(`chrome: page error: ${e.message}\n`));
    const query = new URLSearchParams({ quick: args.quick ? '1' : '0', commit: commit() ?? '' });
    if (args.only) query.set('only', args.only);
    await page.goto(`http://127.0.0.1:${port}/?${query}`);
    await page.waitForFunction(() => window.__fusegradBench !== undefined || window.__fusegradBenchError !== undefined, null, { timeout: TIMEOUT_MS, polling: 1000 });
    const error = await page.evaluate(() => window.__fusegradBenchError);
    if (error) {
      process.stderr.write(`bench:chrome: the page failed: ${error}\n`);
      return 1;
    }
    const report = await page.evaluate(() => window.__fusegradBench) as Report;
    const outDir = join(root, 'bench', 'out');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `chrome-${report.suites.join('+')}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatReport(report)}\n\nreport: ${file} (${report.seconds.toFixed(0)} s${report.quick ? ', quick mode' : ''})\n`);
    return report.errors.length ? 1 : 0;
  } finally {
    await browser.close();
    server.close();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`bench:chrome: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/**
 * The benchmark entry point in Node:
 *   npm run bench [-- --quick] [--only=roofline,matmul,wait,siren,cnn,ops,models] [--json]
 *   npm run bench -- --only=cnn,peers     # CNN inference, then the CNN peers (jax-js, tfjs) side by side
 *   npm run bench -- --only=siren,peers   # SIREN training step, then the SIREN peers
 *   node --import tsx bench/run.ts --quick
 * Prints the adapter block and the results table (stdout), progress on stderr, and writes the
 * report to bench/out/<suites>-<timestamp>.json. --json prints the report as JSON instead.
 */
import { formatReport } from './harness.ts';
import { loadCeilings, nodeHost, writeReport } from './host-node.ts';
import { runBench } from './runner.ts';
import { peers } from './peers.ts';
import { SUITES } from './suites.ts';

// peers runs other engines as child processes (Node only): it runs when --only names it.
const ALL = [...SUITES, peers];

function parseArgs(argv: string[]): { quick: boolean; json: boolean; only?: string[] } {
  const out: { quick: boolean; json: boolean; only?: string[] } = { quick: false, json: false };
  // `--only cnn` and `--peers DIR` as well as `--only=cnn` and `--peers=DIR`
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if ((argv[i] === '--only' || argv[i] === '--peers') && next !== undefined && !next.startsWith('--')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  for (const arg of args) {
    if (arg === '--quick') out.quick = true;
    else if (arg === '--json') out.json = true;
    else if (arg.startsWith('--peers=')) process.env.FUSEGRAD_PEERS_DIR = arg.slice('--peers='.length);
    else if (arg.startsWith('--only=')) out.only = arg.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`usage: npm run bench -- [--quick] [--only=${ALL.map((s) => s.name).join(',')}] [--peers=DIR] [--json]\n`);
      for (const s of ALL) process.stdout.write(`  ${s.name.padEnd(10)} ${s.description}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument ${arg} (try --help)\n`);
      process.exit(2);
    }
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
let code = 0;
try {
  const report = await runBench({ suites: ALL, only: args.only ?? SUITES.map((s) => s.name), quick: args.quick, host: nodeHost, previousCeilings: loadCeilings });
  const file = writeReport(report);
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatReport(report)}\n\nreport: ${file} (${report.seconds.toFixed(0)} s${report.quick ? ', quick mode' : ''})\n`);
  if (report.errors.length) code = 1;
} catch (err) {
  // Usage errors (an unknown suite) need no stack; BENCH_DEBUG=1 shows it for the rest.
  const detail = err instanceof Error ? (process.env.BENCH_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
  process.stderr.write(`bench: ${detail}\n`);
  code = 1;
}
// dawn.node keeps the event loop alive while its instance exists: exit explicitly.
process.exit(code);

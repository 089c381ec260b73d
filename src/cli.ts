/**
 * The command line: a thin layer over the library.
 *   fusegrad fuse IR VIS -o OUT.png [--model inr|didfuse] [--steps N] [--scale S | --size WxH] [--seed N] [--json]
 *   fusegrad fuse --sample [-o OUT.png]        the built-in synthetic pair (no files needed)
 *   fusegrad eval IR VIS FUSED [--json]        the standard fusion-quality metrics
 *   fusegrad eval --dir DIR [--csv F] [--json] the same over DIR/IR, DIR/VIS, DIR/FUSED
 *   fusegrad sample [-o DIR]                   writes the built-in pair as PNGs
 *   fusegrad info                              the GPU adapter and its limits
 * User mistakes print one line and exit 2; a lost GPU exits 3; a diverged fit exits 4.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FusegradError } from './errors.ts';
import { toGrey } from './io/colour.ts';
import { encodePng } from './io/encode.ts';
import { cleanupTempFiles, readImageFile, writeFileAtomic } from './io/files.ts';
import type { Image } from './io/image.ts';
import { makeSamplePair } from './io/sample.ts';
import { computeMetrics, formatSummary, formatTable, toCsv, toJson, type GreyImage, type MetricRow } from './metrics/index.ts';
import { fuseImages, MODELS, WEIGHT_FILES, type ModelName, type WeightsFile } from './fusion/pipeline.ts';
import { readFileBytes } from './io/files.ts';
import { readSafetensors } from './io/safetensors.ts';
import { FUSION_RULES, type FusionRule } from './models/didfuse.ts';
import { init, shutdown } from './tensor/context.ts';
import { numberFlag, parseArgs, sizeFlag, type ParsedArgs } from './cli/args.ts';
import { progressReporter, slowFitHint, SLOW_FIT_SECONDS } from './cli/progress.ts';
import type { FitProgress } from './fusion/inr.ts';

const PACKAGE_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

const HELP = `fusegrad — infrared/visible image fusion on WebGPU

  fusegrad fuse IR VIS -o OUT.png [options]
  fusegrad fuse --sample [-o OUT.png] [options]   fuse the built-in synthetic pair
  fusegrad eval IR VIS FUSED [--json]             fusion-quality metrics (EN, SD, SF, MI, SSIM, Qabf, ...)
  fusegrad eval --dir DIR [--csv F] [--json]      DIR/IR, DIR/VIS, DIR/FUSED matched by name: table, mean, std
  fusegrad sample [-o DIR]                        write the built-in pair as PNG files
  fusegrad info                                   show the GPU adapter fusegrad uses

fuse options:
  --model M            inr: INRFuse, a SIREN fitted to the pair (default)
                       didfuse: DIDFuse auto-encoder with the shipped weights (trained by fusegrad)
                       encdec: Ataman & Akar encoder–decoder with the shipped weights (trained by fusegrad)
                       ldlite: LD-Lite (needs --weights: the authors' weights as safetensors)
                       ldfusion: LDFusion (needs --weights ENCODER --weights DECODER)
  --rule R             DIDFuse feature fusion: sum (default), avg or l1
  --weights FILE       weights for a CNN model, repeatable (default: weights/<model>.safetensors)
  --steps N            fitting steps (default 500)
  --lr X               Adam learning rate (default 1e-3)
  --lambda X           weight of the ‖∇F‖₁ term (default 1)
  --grad-target T      'sources' (the paper's loss, default) or 'max' (keep the sharper edge)
  --hidden N           SIREN width (default 256)
  --scale S            output size = S × the larger input (super-resolution, e.g. 2.1)
  --size WxH           explicit output size
  --seed N             weight initialisation seed (default 0)
  --clip X             clip the global gradient norm to X (off by default)
  --patience N         stop early after N loss reads (every 10 steps) without a 0.1% improvement
                       (default 10; 0 never stops early)
  --force              overwrite OUT if it exists
  --no-metrics         do not print the quality metrics of the result
  --json               machine-readable output (JSON lines)
`;

const FUSE_FLAGS = {
  values: ['output', 'model', 'rule', 'weights', 'steps', 'lr', 'lambda', 'grad-target', 'hidden', 'scale', 'size', 'seed', 'clip', 'patience'],
  booleans: ['sample', 'force', 'no-metrics', 'json'],
  aliases: { o: 'output' },
};

function greyForMetrics(image: Image): GreyImage {
  const grey = image.channels === 1 ? image : toGrey(image);
  return { width: grey.width, height: grey.height, data: grey.data.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) };
}

/** Fails before any work when the output could not be written (writeFileAtomic checks again at the end). */
function checkOutputPath(output: string, force: boolean): void {
  const folder = dirname(resolve(output));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new FusegradError(`${output}: the folder ${folder} does not exist; create it first`);
  if (existsSync(output) && !force) throw new FusegradError(`${output} already exists; pass --force to overwrite it`);
}

async function fuseCommand(args: ParsedArgs): Promise<void> {
  const json = args.flags.has('json');
  const sample = args.flags.has('sample');
  let ir: Image;
  let vis: Image;
  let names: string[];
  if (sample) {
    if (args.positional.length) throw new FusegradError('fuse --sample takes no input files');
    ({ ir, vis } = makeSamplePair(96, 72));
    names = ['sample IR', 'sample VIS'];
  } else {
    if (args.positional.length !== 2) throw new FusegradError('fuse needs two input files: fusegrad fuse IR VIS -o OUT.png');
    names = args.positional;
    const decoded = [await readImageFile(names[0]), await readImageFile(names[1])];
    decoded.forEach((image, i) => image.warnings.forEach((w) => process.stderr.write(`fusegrad: ${names[i]}: ${w}\n`)));
    [ir, vis] = decoded;
  }
  const output = args.flags.get('output');
  if (typeof output !== 'string') throw new FusegradError('fuse needs an output file: -o OUT.png');
  checkOutputPath(output, args.flags.has('force'));
  const gradTarget = args.flags.get('grad-target') ?? 'sources';
  if (gradTarget !== 'sources' && gradTarget !== 'max') throw new FusegradError(`--grad-target must be 'sources' or 'max', got '${gradTarget}'`);
  const steps = numberFlag(args, 'steps', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  const lambda = numberFlag(args, 'lambda', (v) => v >= 0, 'a number ≥ 0');
  const options = {
    model: (args.flags.get('model') ?? 'inr') as ModelName,
    steps: steps ?? (sample ? 200 : 500),
    lr: numberFlag(args, 'lr', (v) => v > 0, 'a positive number'),
    hidden: numberFlag(args, 'hidden', (v) => Number.isInteger(v) && v > 0, 'a positive integer') ?? (sample ? 64 : 256),
    seed: numberFlag(args, 'seed', Number.isInteger, 'an integer') ?? 0,
    scale: numberFlag(args, 'scale', (v) => v > 0 && v <= 64, 'a number in (0, 64]'),
    size: sizeFlag(args, 'size'),
    weights: lambda === undefined ? undefined : { gradientL1: lambda },
    gradientTarget: gradTarget as 'sources' | 'max',
    clipGradNorm: numberFlag(args, 'clip', (v) => v > 0, 'a positive number'),
    // loss reads (every 10 steps) without a 0.1% improvement before the fit stops early
    plateauPatience: numberFlag(args, 'patience', (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0') ?? 10,
  };
  // Everything a user can get wrong is checked before the GPU starts.
  if (!MODELS.includes(options.model)) throw new FusegradError(`unknown model '${options.model}'; available: ${MODELS.join(', ')}`);
  const rule = (args.flags.get('rule') ?? 'sum') as FusionRule;
  if (!FUSION_RULES.includes(rule)) throw new FusegradError(`--rule must be one of ${FUSION_RULES.join(', ')}, got '${rule}'`);
  const weightFiles = WEIGHT_FILES[options.model] ? await readWeights(args, options.model) : undefined;
  if (options.gradientTarget === 'max' && (ir.width !== vis.width || ir.height !== vis.height)) {
    throw new FusegradError(`--grad-target max needs IR and visible images of the same size (got ${ir.width}×${ir.height} and ${vis.width}×${vis.height})`);
  }
  const rt = await init({ quiet: json });
  const progress = progressReporter(json);
  if (!json) {
    process.stderr.write(`fusegrad: ${rt.report.description}${rt.report.swiftshader ? ' (CPU emulation)' : ''}; fusing ${names.join(' + ')} with ${options.model}` +
      `${sample && options.model === 'inr' ? ` (sample preset: ${options.hidden}-wide SIREN, ${options.steps} steps)` : ''}\n`);
  }
  let hinted = false;
  const onProgress = (p: FitProgress) => {
    progress.update(p);
    if (hinted || p.step < 2) return; // judged once, at the second read: the first step also compiles the kernels
    hinted = true;
    if (p.step < p.steps && p.etaSeconds > SLOW_FIT_SECONDS) progress.note(slowFitHint(p, rt.report.swiftshader, options.hidden, options.steps));
  };
  const onStrip = (done: number, total: number, seconds: number) => progress.strips(done, total, seconds);
  const result = await fuseImages(ir, vis, { ...options, rule, weightFiles, onProgress, onStrip });
  progress.done();
  for (const w of result.warnings) process.stderr.write(`fusegrad: warning: ${w}\n`);
  await writeFileAtomic(output, encodePng(result.image), { force: args.flags.has('force') });
  const summary: Record<string, unknown> = {
    event: 'done', output, width: result.width, height: result.height, model: options.model,
    steps: result.fit?.steps, seconds: Number(result.seconds.toFixed(2)), loss: result.fit?.finalLoss, adapter: rt.report.description,
  };
  const sameGrid = ir.width === vis.width && ir.height === vis.height && ir.width === result.width && ir.height === result.height;
  if (!args.flags.has('no-metrics') && sameGrid) {
    const metrics = computeMetrics(greyForMetrics(ir), greyForMetrics(vis), greyForMetrics(result.image));
    summary.metrics = metrics;
    if (!json) console.log(formatSummary(metrics));
  }
  if (json) console.log(JSON.stringify(summary));
  else console.log(`wrote ${output} (${result.width}×${result.height}) in ${result.seconds.toFixed(1)}s${result.fit ? `, final loss ${result.fit.finalLoss.toFixed(5)}` : ''}`);
}

/**
 * The --weights files (repeat the flag for LDFusion's encoder and decoder), or the project's
 * shipped weights/<model>.safetensors where there is one (DIDFuse and the encoder–decoder, trained by this engine).
 */
async function readWeights(args: ParsedArgs, model: ModelName): Promise<WeightsFile[]> {
  const given = args.all.get('weights') ?? [];
  const shipped = join(PACKAGE_ROOT, 'weights', `${model}.safetensors`);
  const paths = given.length ? given : existsSync(shipped) ? [shipped] : [];
  const needed = WEIGHT_FILES[model] ?? [];
  if (paths.length !== needed.length) {
    throw new FusegradError(`--model ${model} needs --weights for: ${needed.join(', ')} (in that order)` +
      (model !== 'didfuse' ? '; the authors\' .pt files convert with scripts/convert-pt.ts' : ''));
  }
  return Promise.all(paths.map(async (path) => {
    if (!existsSync(path)) throw new FusegradError(`${path}: no such weights file`);
    return { tensors: readSafetensors(await readFileBytes(path), path).tensors, name: path };
  }));
}

async function evalTriple(name: string, paths: string[]): Promise<MetricRow> {
  const [ir, vis, fused] = await Promise.all(paths.map((p) => readImageFile(p)));
  if (![vis, fused].every((im) => im.width === ir.width && im.height === ir.height)) {
    throw new FusegradError(`eval ${name}: the three images must have one size (IR ${ir.width}×${ir.height}, VIS ${vis.width}×${vis.height}, fused ${fused.width}×${fused.height})`);
  }
  return { name, metrics: computeMetrics(greyForMetrics(ir), greyForMetrics(vis), greyForMetrics(fused)) };
}

/** DIR/IR, DIR/VIS and DIR/FUSED hold images matched by file name (any of the folders' case). */
async function evalDirectory(dir: string): Promise<MetricRow[]> {
  const folder = (name: string) => {
    const found = existsSync(dir) ? readdirSync(dir).find((f) => f.toLowerCase() === name.toLowerCase()) : undefined;
    if (!found) throw new FusegradError(`eval --dir: ${join(dir, name)} is missing (expected ${dir}/IR, ${dir}/VIS and ${dir}/FUSED)`);
    return join(dir, found);
  };
  const [irDir, visDir, fusedDir] = ['IR', 'VIS', 'FUSED'].map(folder);
  const names = readdirSync(fusedDir).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  if (names.length === 0) throw new FusegradError(`eval --dir: no PNG or JPEG files in ${fusedDir}`);
  const rows: MetricRow[] = [];
  for (const name of names) {
    const stem = name.replace(/\.[^.]+$/, '');
    const match = (d: string) => {
      const f = readdirSync(d).find((x) => x.replace(/\.[^.]+$/, '') === stem);
      if (!f) throw new FusegradError(`eval --dir: ${name} has no counterpart in ${d}`);
      return join(d, f);
    };
    rows.push(await evalTriple(name, [match(irDir), match(visDir), join(fusedDir, name)]));
  }
  return rows;
}

async function evalCommand(args: ParsedArgs): Promise<void> {
  const dir = args.flags.get('dir');
  let rows: MetricRow[];
  if (typeof dir === 'string') {
    if (args.positional.length) throw new FusegradError('eval takes either --dir DIR or three files, not both');
    rows = await evalDirectory(dir);
  } else {
    if (args.positional.length !== 3) throw new FusegradError('eval needs three files (fusegrad eval IR VIS FUSED) or --dir DIR');
    rows = [await evalTriple(basename(args.positional[2]), args.positional)];
  }
  const csv = args.flags.get('csv');
  if (typeof csv === 'string') await writeFileAtomic(csv, new TextEncoder().encode(toCsv(rows, { summary: true })), { force: args.flags.has('force') });
  console.log(args.flags.has('json') ? toJson(rows) : formatTable(rows));
}

async function sampleCommand(args: ParsedArgs): Promise<void> {
  const dir = (args.flags.get('output') as string | undefined) ?? '.';
  const { ir, vis } = makeSamplePair();
  for (const [name, image] of [['sample_ir.png', ir], ['sample_vis.png', vis]] as const) {
    await writeFileAtomic(join(dir, name), encodePng(image), { force: args.flags.has('force') });
    console.log(`wrote ${join(dir, name)}`);
  }
}

async function infoCommand(): Promise<void> {
  const rt = await init({ quiet: true });
  console.log(JSON.stringify(rt.report, null, 2));
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `fusegrad fuse --help` asks for the usage too, wherever the flag stands
    const asksHelp = rest.includes('--help') || rest.includes('-h');
    if (!command || command === '--help' || command === '-h' || command === 'help' || asksHelp) {
      console.log(HELP);
      return command ? 0 : 2;
    }
    const simple = { values: ['output'], booleans: ['json', 'force'], aliases: { o: 'output' } };
    const evalFlags = { values: ['dir', 'csv'], booleans: ['json', 'force'] };
    switch (command) {
      case 'fuse': await fuseCommand(parseArgs(rest, FUSE_FLAGS)); break;
      case 'eval': await evalCommand(parseArgs(rest, evalFlags)); break;
      case 'sample': await sampleCommand(parseArgs(rest, simple)); break;
      case 'info': await infoCommand(); break;
      default: throw new FusegradError(`unknown command '${command}'; try \`fusegrad --help\``);
    }
    return 0;
  } catch (err) {
    cleanupTempFiles();
    if (err instanceof FusegradError) {
      console.error(`fusegrad: error: ${err.message}`);
      return err.exitCode;
    }
    console.error(err);
    return 1;
  } finally {
    shutdown(); // dawn.node keeps the process alive while a device is held
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanupTempFiles();
    process.stderr.write(`\nfusegrad: interrupted; no output written\n`);
    process.exit(130);
  });
}

if (process.argv[1] && /cli\.(ts|js|mjs)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

/**
 * Where a model's time goes, kernel by kernel (GPU timestamps; src/gpu/profiler.ts):
 *   npm run bench:profile -- [--model didfuse|encdec|ldlite|ldfusion|inr] [--size 64] [--train] [--repeat 1]
 * One untimed run first (pipeline compilation), then one profiled run: an inference frame of
 * the model with seeded random weights at size² (bench/fusion-models.ts: the encoder–decoder at
 * the paper's width 64), or with --train one training step on a batch of two (INRFuse: a
 * fitting step of the SIREN on the built-in sample). Prints each kernel's dispatches, total ms
 * and share, slowest first, per run: --repeat N profiles N runs and divides by N (INRFuse: a fit
 * of N steps, its set-up included once).
 */
import { fitInrFuse } from '../src/fusion/inr.ts';
import { FusegradError, init, noGrad, optim, shutdown, tensor, tidy, type Tensor } from '../src/index.ts';
import { toGrey } from '../src/io/colour.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { flag } from './flags.ts';
import { BENCH_MODELS, syntheticPlane } from './fusion-models.ts';

const modelName = flag('model', 'didfuse');
const size = Number(flag('size', '64'));
const training = process.argv.includes('--train');
const repeat = Math.max(1, Math.floor(Number(flag('repeat', '1'))) || 1);

/** A mistake in the flags or a size the model refuses: one line, no stack trace. */
function fail(message: string): never {
  console.error(`bench:profile: ${message}`);
  process.exit(2);
}
if (modelName !== 'inr' && !(modelName in BENCH_MODELS)) fail(`--model must be one of inr, ${Object.keys(BENCH_MODELS).join(', ')}, not ${modelName}`);
if (!Number.isInteger(size) || size < 1) fail(`--size must be a whole number of pixels, not ${flag('size', '64')}`);
if (modelName === 'inr' && size < 16) fail(`--size ${size}: INRFuse fits the built-in sample, which needs at least 16 pixels a side`);

const rt = await init();
/** `runs` frames or training steps (INRFuse: one fit of `runs` steps, so its set-up is shared). */
async function profiled(runs: number): Promise<void> {
  if (modelName === 'inr') {
    const sample = makeSamplePair(size, size);
    const fit = await fitInrFuse({ width: size, height: size, data: sample.ir.data }, { width: size, height: size, data: toGrey(sample.vis).data }, { steps: runs, readEvery: runs, capture: false }); // eager: a replayed step's passes carry no timestamps
    fit.model.net.dispose();
    return;
  }
  for (let i = 0; i < runs; i++) await once();
}

async function once(): Promise<void> {
  const { model, frame, loss } = BENCH_MODELS[modelName as keyof typeof BENCH_MODELS]();
  if (!training) model.train(false);
  const batch = training ? 2 : 1;
  const inputs = () => [0, 1].map((phase) => tensor(syntheticPlane(batch * size * size, phase), [batch, 1, size, size])) as [Tensor, Tensor];
  if (training) {
    const optimiser = new optim.Adam(model.parameters(), { lr: 1e-4 });
    tidy(() => { optimiser.zeroGrad(); loss(...inputs()).backward(); optimiser.step(); });
    optimiser.dispose();
  } else {
    noGrad(() => tidy(() => { frame(...inputs()); }));
  }
  await rt.sync();
  model.dispose();
}

try {
  await profiled(1); // compiles every pipeline
} catch (error) {
  if (error instanceof FusegradError) fail(error.message); // e.g. a size the model does not take
  throw error;
}
const started = performance.now();
rt.startProfiling();
await profiled(repeat);
const kernels = await rt.stopProfiling();
const wall = (performance.now() - started) / repeat;
const total = kernels.reduce((s, k) => s + k.ms, 0) / repeat;
const runs = repeat > 1 ? `, per run (mean of ${repeat})` : '';
console.log(`${modelName} ${training ? 'training step' : 'inference'} at ${size}², ${rt.report.description}: ${total.toFixed(2)} ms of kernels, ${wall.toFixed(0)} ms wall${runs} (profiling runs one dispatch per pass)\n`);
console.log('| kernel | dispatches | ms | share |\n| --- | --- | --- | --- |');
const perRun = (n: number) => (Number.isInteger(n / repeat) ? String(n / repeat) : (n / repeat).toFixed(2));
for (const k of kernels) console.log(`| ${k.kernel} | ${perRun(k.dispatches)} | ${(k.ms / repeat).toFixed(3)} | ${(100 * k.ms / repeat / total).toFixed(1)}% |`);
shutdown();
process.exit(0);

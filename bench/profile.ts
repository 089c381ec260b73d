/**
 * Where a model's time goes, kernel by kernel (GPU timestamps; src/gpu/profiler.ts):
 *   npm run bench:profile -- [--model didfuse|encdec|ldlite|ldfusion|inr] [--size 64] [--train]
 * One untimed run first (pipeline compilation), then one profiled run: an inference frame of
 * the model with seeded random weights at size² (bench/fusion-models.ts: the encoder–decoder at
 * the paper's width 64), or with --train one training step on a batch of two (INRFuse: a
 * fitting step of the SIREN on the built-in sample). Prints each kernel's dispatches, total ms
 * and share, slowest first.
 */
import { fitInrFuse } from '../src/fusion/inr.ts';
import { init, noGrad, optim, shutdown, tensor, tidy, type Tensor } from '../src/index.ts';
import { toGrey } from '../src/io/colour.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { BENCH_MODELS, syntheticPlane } from './fusion-models.ts';

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const modelName = flag('model', 'didfuse');
const size = Number(flag('size', '64'));
const training = process.argv.includes('--train');

const rt = await init();
async function once(): Promise<void> {
  if (modelName === 'inr') {
    const sample = makeSamplePair(size, size);
    const fit = await fitInrFuse({ width: size, height: size, data: sample.ir.data }, { width: size, height: size, data: toGrey(sample.vis).data }, { steps: 1 });
    fit.model.net.dispose();
    return;
  }
  const make = BENCH_MODELS[modelName as keyof typeof BENCH_MODELS];
  if (!make) throw new Error(`--model must be one of inr, ${Object.keys(BENCH_MODELS).join(', ')}`);
  const { model, frame, loss } = make();
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

await once(); // compiles every pipeline
const started = performance.now();
rt.startProfiling();
await once();
const kernels = await rt.stopProfiling();
const wall = performance.now() - started;
const total = kernels.reduce((s, k) => s + k.ms, 0);
console.log(`${modelName} ${training ? 'training step' : 'inference'} at ${size}², ${rt.report.description}: ${total.toFixed(1)} ms of kernels, ${wall.toFixed(0)} ms wall (profiling runs one dispatch per pass)\n`);
console.log('| kernel | dispatches | ms | share |\n| --- | --- | --- | --- |');
for (const k of kernels) console.log(`| ${k.kernel} | ${k.dispatches} | ${k.ms.toFixed(2)} | ${(100 * k.ms / total).toFixed(1)}% |`);
shutdown();
process.exit(0);

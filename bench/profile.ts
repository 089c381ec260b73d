/**
 * Where a model's time goes, kernel by kernel (GPU timestamps; src/gpu/profiler.ts):
 *   npm run bench:profile -- [--model didfuse|encdec|ldlite|ldfusion|inr] [--size 64] [--train]
 * One untimed run first (pipeline compilation), then one profiled run: an inference frame of
 * the model with seeded random weights at size², or with --train one training step on a batch
 * of two (INRFuse: a fitting step of the SIREN on the built-in sample). Prints each kernel's
 * dispatches, total ms and share, slowest first.
 */
import { fitInrFuse } from '../src/fusion/inr.ts';
import { init, noGrad, optim, shutdown, tensor, tidy, type Tensor } from '../src/index.ts';
import { toGrey } from '../src/io/colour.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { EncDecFusion } from '../src/models/encdec.ts';
import { LDFusion } from '../src/models/ldfusion.ts';
import { LDLite } from '../src/models/ldlite.ts';
import type { Module } from '../src/nn/module.ts';

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const modelName = flag('model', 'didfuse');
const size = Number(flag('size', '64'));
const training = process.argv.includes('--train');

/** The model: a frame's output and a training step's loss, from [N, 1, S, S] planes in [0, 1]. */
interface Profiled { model: Module; frame: (ir: Tensor, vis: Tensor) => Tensor; loss: (ir: Tensor, vis: Tensor) => Tensor }
const signed = (x: Tensor) => x.mul(2).add(-1);
const MODELS: Record<string, () => Profiled> = {
  didfuse: () => { const m = new DIDFuse({ seed: 1 }); return { model: m, frame: (ir, vis) => m.fuse(ir, vis, 'sum'), loss: (ir, vis) => m.loss(vis, ir).total }; },
  encdec: () => { const m = new EncDecFusion({ seed: 1, width: 8 }); return { model: m, frame: (ir, vis) => m.fuse(signed(ir), signed(vis)), loss: (ir, vis) => m.loss(signed(vis), signed(ir)).total }; },
  ldlite: () => { const m = new LDLite({ seed: 1 }); return { model: m, frame: (ir, vis) => m.forward({ ir, vis }), loss: (ir, vis) => m.loss({ ir, vis }).total }; },
  ldfusion: () => { const m = new LDFusion({ seed: 1 }); return { model: m, frame: (ir, vis) => m.forward({ ir, vis }), loss: (ir, vis) => m.loss({ ir, vis }).total }; },
};

const rt = await init();
async function once(): Promise<void> {
  if (modelName === 'inr') {
    const sample = makeSamplePair(size, size);
    const fit = await fitInrFuse({ width: size, height: size, data: sample.ir.data }, { width: size, height: size, data: toGrey(sample.vis).data }, { steps: 1 });
    fit.model.net.dispose();
    return;
  }
  const make = MODELS[modelName];
  if (!make) throw new Error(`--model must be one of inr, ${Object.keys(MODELS).join(', ')}`);
  const { model, frame, loss } = make();
  if (!training) model.train(false);
  const batch = training ? 2 : 1;
  const plane = (phase: number) => Float32Array.from({ length: batch * size * size }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.013 + phase));
  const inputs = () => [tensor(plane(0), [batch, 1, size, size]), tensor(plane(1), [batch, 1, size, size])] as const;
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

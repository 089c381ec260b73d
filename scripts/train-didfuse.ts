/**
 * Trains DIDFuse with this engine on real IR/visible pairs and writes safetensors weights.
 *
 *   npx tsx scripts/train-didfuse.ts [--data ../shared/data/roadscene] [--steps 200] [--batch 4]
 *       [--crop 32] [--lr 1e-3] [--seed 1] [--out weights/didfuse.safetensors]
 *       [--checkpoint-every 25] [--resume CHECKPOINT] [--log didfuse-loss.csv]
 *
 * The authors' schedule (spec §2.3: 128² centre crops, batch 24, 120 epochs of 180 FLIR pairs,
 * Adam 1e-3 with ×0.1 at 1/3 and 2/3 of training) needs a real GPU; the defaults here are a
 * small schedule that SwiftShader finishes in under an hour: random aligned crops of the
 * training pairs (every tenth pair held out), the same loss and optimiser, the learning rate
 * ×0.1 at 2/3 and 5/6 of the steps. Which schedule and adapter trained the weights goes into
 * their metadata. A checkpoint (weights + step; Adam's moments restart on resume) is written
 * every --checkpoint-every steps next to --out.
 */
import { execSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FusegradError } from '../src/errors.ts';
import { init, optim, shutdown, tensor, tidy } from '../src/index.ts';
import { writeFileAtomic } from '../src/io/files.ts';
import { readSafetensors, writeSafetensors } from '../src/io/safetensors.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { mulberry32 } from '../src/random.ts';
import { loadPairs, randomCrops } from '../src/training/pairs.ts';
import { numberFlag, parseArgs } from '../src/cli/args.ts';

const args = parseArgs(process.argv.slice(2), {
  values: ['data', 'steps', 'batch', 'crop', 'lr', 'seed', 'out', 'checkpoint-every', 'resume', 'log'],
  booleans: [],
});
const positive = (v: number) => v > 0;
const dataDir = String(args.flags.get('data') ?? '../shared/data/roadscene');
const steps = numberFlag(args, 'steps', Number.isInteger, 'an integer') ?? 200;
const batch = numberFlag(args, 'batch', Number.isInteger, 'an integer') ?? 4;
const crop = numberFlag(args, 'crop', Number.isInteger, 'an integer') ?? 32;
const lr = numberFlag(args, 'lr', positive, 'a positive number') ?? 1e-3;
const seed = numberFlag(args, 'seed', Number.isInteger, 'an integer') ?? 1;
const checkpointEvery = numberFlag(args, 'checkpoint-every', Number.isInteger, 'an integer') ?? 25;
const out = String(args.flags.get('out') ?? 'weights/didfuse.safetensors');
const logPath = args.flags.get('log');
const checkpointPath = out.replace(/\.safetensors$/, '') + '.checkpoint.safetensors';

async function main(): Promise<void> {
  const rt = await init();
  const pairs = await loadPairs(dataDir, 'train');
  console.log(`adapter: ${rt.report.description}; ${pairs.length} training pairs from ${dataDir}`);
  const model = new DIDFuse({ seed });
  let firstStep = 0;
  const resume = args.flags.get('resume');
  if (typeof resume === 'string') {
    const file = readSafetensors(new Uint8Array(await readFile(resume)), resume);
    model.loadStateDict(file.tensors, resume);
    firstStep = Number(file.metadata.step ?? 0);
    console.log(`resumed from ${resume} at step ${firstStep}`);
  }
  const optimiser = new optim.Adam(model.parameters(), { lr });
  const schedule = new optim.StepLR(optimiser, [Math.round(steps * 2 / 3), Math.round(steps * 5 / 6)], 0.1);
  const random = mulberry32(seed * 7919 + firstStep);
  const log: string[] = ['step,total,rec_vis,rec_ir,base,detail,gradient,seconds'];
  const started = performance.now();
  let last = { total: NaN };

  const metadata = (step: number): Record<string, string> => ({
    model: 'DIDFuse (Zhao et al. 2020), fusegrad layout: encoder.covN.covN.i / decoder.covN.covN.i as the authors\' state dicts',
    trainer: 'fusegrad scripts/train-didfuse.ts',
    adapter: rt.report.description,
    schedule: `${step} steps, batch ${batch}, random ${crop}x${crop} crops, Adam lr ${lr} x0.1 at 2/3 and 5/6, seed ${seed}`,
    data: `${pairs.length} RoadScene pairs (every tenth held out)`,
    step: String(step),
    final_loss: String(last.total),
    commit: (() => { try { return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { return 'unknown'; } })(),
    date: new Date().toISOString(),
  });
  const save = async (path: string, step: number) => {
    model.train(false);
    await writeFileAtomic(path, writeSafetensors(await model.stateDict(), metadata(step)), { force: true });
    model.train(true);
  };

  for (let step = firstStep; step < steps; step++) {
    schedule.step(step);
    const crops = randomCrops(pairs, batch, crop, random);
    const terms = tidy(() => {
      const vis = tensor(crops.vis, [batch, 1, crop, crop]);
      const ir = tensor(crops.ir, [batch, 1, crop, crop]);
      optimiser.zeroGrad();
      const loss = model.loss(vis, ir);
      loss.total.backward();
      optimiser.step();
      return loss;
    });
    const values = await Promise.all([terms.total, terms.reconstructionVis, terms.reconstructionIr, terms.base, terms.detail, terms.gradient].map((t) => t.item()));
    for (const t of Object.values(terms)) t.dispose();
    if (!values.every(Number.isFinite)) throw new FusegradError(`training diverged at step ${step + 1}: loss ${values[0]}`, 4);
    last = { total: values[0] };
    const seconds = (performance.now() - started) / 1000;
    log.push([step + 1, ...values.map((v) => v.toPrecision(6)), seconds.toFixed(1)].join(','));
    const rate = seconds / (step + 1 - firstStep);
    console.log(`step ${step + 1}/${steps} loss ${values[0].toFixed(4)} (rec vis ${values[1].toFixed(4)} ir ${values[2].toFixed(4)} grad ${values[5].toFixed(4)}) ` +
      `lr ${optimiser.lr.toExponential(1)} ${rate.toFixed(1)} s/step, ETA ${Math.round(rate * (steps - step - 1) / 60)} min`);
    if ((step + 1) % checkpointEvery === 0) await save(checkpointPath, step + 1);
    if (typeof logPath === 'string') await writeFileAtomic(logPath, new TextEncoder().encode(log.join('\n') + '\n'), { force: true });
  }
  await save(out, steps);
  console.log(`wrote ${out} (${model.parameterCount()} parameters)`);
}

main().then(() => shutdown(), (err: unknown) => {
  console.error(`train-didfuse: error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = err instanceof FusegradError ? err.exitCode : 1;
  shutdown();
});

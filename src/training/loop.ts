/**
 * The training loop the CNN training scripts share (scripts/train-*.ts): random aligned crops of
 * real pairs, one optimiser step per batch, a step learning-rate schedule, a progress line and a
 * loss CSV, checkpoints and resume, and safetensors weights whose metadata says how they were
 * made. A script supplies the model, its loss on a batch and what to write into the metadata.
 * Node only (files).
 */
import { execSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FusegradError } from '../errors.ts';
import { writeFileAtomic } from '../io/files.ts';
import { readSafetensors, writeSafetensors } from '../io/safetensors.ts';
import type { Module } from '../nn/module.ts';
import { Adam, SGD, StepLR, type Optimizer } from '../optim/index.ts';
import { mulberry32 } from '../random.ts';
import { runtime } from '../tensor/context.ts';
import { tensor } from '../tensor/create.ts';
import { tidy } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { loadPairs, randomCrops } from './pairs.ts';

/** A batch's loss: `total` is minimised, every term is logged (a type, so tidy() can return it). */
export type LossTerms = { total: Tensor } & Record<string, Tensor>;

export interface TrainingSchedule {
  /** folder with ir/ and vi/ (every tenth pair is held out) */
  data: string;
  steps: number;
  batch: number;
  crop: number;
  lr: number;
  seed: number;
  /** 'adam', or 'sgd' with momentum 0.9 */
  optimiser: 'adam' | 'sgd';
  /** the learning rate is multiplied by `decay` at each of these fractions of the steps */
  decayAt: number[];
  decay: number;
  out: string;
  checkpointEvery: number;
  /** a checkpoint to continue from (weights and step; the optimiser's moments restart) */
  resume?: string;
  /** CSV of every step's loss terms */
  log?: string;
}

export interface TrainingJob {
  /** for the log lines: "train-encdec" */
  name: string;
  model: Module;
  /** the loss of one batch; vis and ir are [batch, 1, crop, crop] in [0, 1] */
  loss(vis: Tensor, ir: Tensor): LossTerms;
  /** what the model is and anything else the weights' metadata should say */
  metadata: Record<string, string>;
  /**
   * Write the final weights as one file per part (`out` with `-<part>.safetensors`), for models
   * whose loaders take several files (LDFusion's encoder and decoder); checkpoints stay whole.
   */
  parts?: Record<string, Module>;
}

const gitCommit = (): string => {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
};

const makeOptimiser = (model: Module, s: TrainingSchedule): Optimizer =>
  s.optimiser === 'sgd' ? new SGD(model.parameters(), { lr: s.lr, momentum: 0.9 }) : new Adam(model.parameters(), { lr: s.lr });

/** Trains `job.model` on `schedule` and writes its weights to schedule.out. */
export async function train(job: TrainingJob, schedule: TrainingSchedule): Promise<void> {
  const { model } = job;
  const s = schedule;
  const pairs = await loadPairs(s.data, 'train');
  const adapter = runtime().report.description;
  console.log(`${job.name}: adapter ${adapter}; ${pairs.length} training pairs from ${s.data}; ${model.parameterCount()} parameters`);
  let firstStep = 0;
  if (s.resume !== undefined) {
    const file = readSafetensors(new Uint8Array(await readFile(s.resume)), s.resume);
    model.loadStateDict(file.tensors, s.resume);
    firstStep = Number(file.metadata.step ?? 0);
    console.log(`${job.name}: resumed from ${s.resume} at step ${firstStep}`);
  }
  const optimiser = makeOptimiser(model, s);
  const scheduler = new StepLR(optimiser, s.decayAt.map((f) => Math.round(s.steps * f)), s.decay);
  const random = mulberry32(s.seed * 7919 + firstStep);
  const checkpointPath = s.out.replace(/\.safetensors$/, '') + '.checkpoint.safetensors';
  const log: string[] = [];
  const commit = gitCommit(); // the code that trains is what is checked out now, not at the last save
  const started = performance.now();
  let lastLoss = NaN;

  const metadata = (step: number): Record<string, string> => ({
    ...job.metadata,
    trainer: `fusegrad scripts/${job.name}.ts`,
    adapter,
    schedule: `${step} steps, batch ${s.batch}, random ${s.crop}x${s.crop} crops, ${s.optimiser === 'sgd' ? 'SGD momentum 0.9' : 'Adam'} ` +
      `lr ${s.lr} x${s.decay} at ${s.decayAt.map((f) => `${Math.round(f * 100)}%`).join(', ')}, seed ${s.seed}`,
    data: `${pairs.length} pairs of ${s.data} (every tenth held out)`,
    step: String(step),
    final_loss: String(lastLoss),
    commit,
    date: new Date().toISOString(),
  });
  const save = async (path: string, step: number, module: Module = model) => {
    model.train(false);
    await writeFileAtomic(path, writeSafetensors(await module.stateDict(), metadata(step)), { force: true });
    model.train(true);
  };

  model.train(true);
  try {
    for (let step = firstStep; step < s.steps; step++) {
      scheduler.step(step);
      const crops = randomCrops(pairs, s.batch, s.crop, random);
      const terms = tidy(() => {
        const vis = tensor(crops.vis, [s.batch, 1, s.crop, s.crop]);
        const ir = tensor(crops.ir, [s.batch, 1, s.crop, s.crop]);
        optimiser.zeroGrad();
        const loss = job.loss(vis, ir);
        loss.total.backward();
        optimiser.step();
        return loss;
      });
      const names = Object.keys(terms);
      const values = await Promise.all(names.map((n) => terms[n].item()));
      for (const t of Object.values(terms)) t.dispose();
      if (!values.every(Number.isFinite)) {
        throw new FusegradError(`${job.name}: training diverged at step ${step + 1} (loss ${values[0]}); lower --lr or resume from ${checkpointPath}`, 4);
      }
      lastLoss = values[names.indexOf('total')];
      const seconds = (performance.now() - started) / 1000;
      if (log.length === 0) log.push(['step', ...names, 'seconds'].join(','));
      log.push([step + 1, ...values.map((v) => v.toPrecision(6)), seconds.toFixed(1)].join(','));
      const rate = seconds / (step + 1 - firstStep);
      const shown = names.map((n, i) => `${n} ${values[i].toFixed(4)}`).join(' ');
      console.log(`step ${step + 1}/${s.steps} ${shown} lr ${optimiser.lr.toExponential(1)} ${rate.toFixed(2)} s/step, ETA ${Math.round(rate * (s.steps - step - 1) / 60)} min`);
      if ((step + 1) % s.checkpointEvery === 0) await save(checkpointPath, step + 1);
      if (s.log !== undefined) await writeFileAtomic(s.log, new TextEncoder().encode(log.join('\n') + '\n'), { force: true });
    }
    if (job.parts) {
      for (const [part, module] of Object.entries(job.parts)) {
        const path = s.out.replace(/\.safetensors$/, '') + `-${part}.safetensors`;
        await save(path, s.steps, module);
        console.log(`${job.name}: wrote ${path}`);
      }
    } else {
      await save(s.out, s.steps);
      console.log(`${job.name}: wrote ${s.out}`);
    }
  } finally {
    optimiser.dispose();
  }
}

/**
 * Command-line flags shared by the training scripts (scripts/train-*.ts):
 *   [--data DIR] [--steps N] [--batch N] [--crop N] [--lr X] [--seed N] [--out FILE]
 *   [--optimiser adam|sgd] [--checkpoint-every N] [--resume CHECKPOINT] [--log FILE.csv]
 * plus the flags a script adds for its model (`extraValues`).
 */
import { FusegradError } from '../../src/errors.ts';
import { numberFlag, parseArgs, type ParsedArgs } from '../../src/cli/args.ts';
import type { TrainingSchedule } from '../../src/training/loop.ts';

/** A script's defaults: everything but the paths given on the command line. */
export type ScheduleDefaults = Omit<TrainingSchedule, 'resume' | 'log'>;

export function parseTrainingArgs(argv: string[], defaults: ScheduleDefaults, extraValues: string[] = []): { schedule: TrainingSchedule; args: ParsedArgs } {
  const args = parseArgs(argv, {
    values: ['data', 'optimiser', 'steps', 'batch', 'crop', 'lr', 'seed', 'out', 'checkpoint-every', 'resume', 'log', ...extraValues],
    booleans: [],
  });
  const integer = (name: string) => numberFlag(args, name, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  const text = (name: string) => {
    const value = args.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const optimiser = text('optimiser') ?? defaults.optimiser;
  if (optimiser !== 'adam' && optimiser !== 'sgd') throw new FusegradError(`--optimiser must be adam or sgd, got '${optimiser}'`);
  const schedule: TrainingSchedule = {
    ...defaults,
    data: text('data') ?? defaults.data,
    optimiser,
    steps: integer('steps') ?? defaults.steps,
    batch: integer('batch') ?? defaults.batch,
    crop: integer('crop') ?? defaults.crop,
    lr: numberFlag(args, 'lr', (v) => v > 0, 'a positive number') ?? defaults.lr,
    seed: numberFlag(args, 'seed', Number.isInteger, 'an integer') ?? defaults.seed,
    out: text('out') ?? defaults.out,
    checkpointEvery: integer('checkpoint-every') ?? defaults.checkpointEvery,
    resume: text('resume'),
    log: text('log'),
  };
  return { schedule, args };
}

/**
 * Trains Ataman & Akar's encoder–decoder with this engine on real IR/visible pairs and writes
 * safetensors weights under the authors' state-dict names.
 *
 *   npx tsx scripts/train-encdec.ts [--width 8] [--data ../shared/data/roadscene] [--steps 600]
 *       [--batch 4] [--crop 64] [--lr 1e-3] [--optimiser adam|sgd] [--seed 1]
 *       [--out weights/encdec.safetensors] [--checkpoint-every 50] [--resume CHECKPOINT] [--log F.csv]
 *
 * The paper's network is width 64 (15.8 M parameters) trained on whole 256² images, batch 10,
 * SGD lr 1e-3 momentum 0.9 for 110 epochs (spec §3.3); that needs a real GPU. The defaults are a
 * schedule SwiftShader finishes in about a quarter of an hour: width 8 (267 k parameters),
 * random aligned 64² crops (the size must be a multiple of 32), Adam, the learning rate ×0.5 at
 * 1/2 and 3/4 of the steps. The loss is the one of the config inference.py loads, 1·(1 − Qw) +
 * 1·(1 − Q_edge^0.7), on images mapped to [−1, 1]. The width goes into the weights' metadata, and
 * the CLI reads it back from the tensors' shapes.
 */
import { FusegradError } from '../src/errors.ts';
import { numberFlag } from '../src/cli/args.ts';
import { EncDecFusion, toSignedRange } from '../src/models/encdec.ts';
import { train } from '../src/training/loop.ts';
import { runGpuScript } from './lib/run-script.ts';
import { parseTrainingArgs } from './lib/train-cli.ts';

function setup() {
  const { schedule, args } = parseTrainingArgs(process.argv.slice(2), {
    data: '../shared/data/roadscene', steps: 600, batch: 4, crop: 64, lr: 1e-3, seed: 1,
    optimiser: 'adam', decayAt: [1 / 2, 3 / 4], decay: 0.5,
    out: 'weights/encdec.safetensors', checkpointEvery: 50,
  }, ['width']);
  const width = numberFlag(args, 'width', (v) => Number.isInteger(v) && v > 0, 'a positive integer') ?? 8;
  if (schedule.crop % 32) throw new FusegradError(`--crop must be a multiple of 32 for the encoder–decoder, got ${schedule.crop}`);
  return { schedule, width };
}


runGpuScript('train-encdec', setup, async ({ schedule, width }) => {
  const model = new EncDecFusion({ width, seed: schedule.seed });
  await train({
    name: 'train-encdec',
    model,
    loss: (vis, ir) => model.loss(toSignedRange(vis), toSignedRange(ir)),
    metadata: {
      model: `Ataman & Akar encoder-decoder (EncoderFusionDecoderv2), width ${width}, the authors' state-dict names`,
      width: String(width),
    },
  }, schedule);
  model.dispose();
});

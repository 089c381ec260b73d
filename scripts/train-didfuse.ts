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
 * ×0.1 at 2/3 and 5/6 of the steps. The loop is src/training/loop.ts.
 */
import { DIDFuse } from '../src/models/didfuse.ts';
import { train } from '../src/training/loop.ts';
import { runGpuScript } from './lib/run-script.ts';
import { parseTrainingArgs } from './lib/train-cli.ts';

const setup = () => parseTrainingArgs(process.argv.slice(2), {
  data: '../shared/data/roadscene', steps: 200, batch: 4, crop: 32, lr: 1e-3, seed: 1,
  optimiser: 'adam', decayAt: [2 / 3, 5 / 6], decay: 0.1,
  out: 'weights/didfuse.safetensors', checkpointEvery: 25,
});

runGpuScript('train-didfuse', setup, async ({ schedule }) => {
  const model = new DIDFuse({ seed: schedule.seed });
  await train({
    name: 'train-didfuse',
    model,
    // the authors train on [0, 1] images, the loss terms as DIDFuse.loss names them
    loss: (vis, ir) => model.loss(vis, ir),
    metadata: { model: 'DIDFuse (Zhao et al. 2020), fusegrad layout: encoder.covN.covN.i / decoder.covN.covN.i as the authors\' state dicts' },
  }, schedule);
  model.dispose();
});

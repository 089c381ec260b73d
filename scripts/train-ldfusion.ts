/**
 * Trains LDFusion with this engine on real IR/visible pairs and writes its encoder and decoder
 * as two safetensors files under the authors' state-dict names (what `--model ldfusion
 * --weights ENCODER --weights DECODER` loads).
 *
 *   npx tsx scripts/train-ldfusion.ts [--data ../shared/data/roadscene] [--steps 200] [--batch 2]
 *       [--crop 64] [--lr 5e-4] [--seed 3407] [--out weights/ldfusion.safetensors]
 *       [--checkpoint-every 25] [--resume CHECKPOINT] [--log F.csv]
 *   → weights/ldfusion-encoder.safetensors, weights/ldfusion-decoder.safetensors
 *
 * The authors' loss needs CLIP ViT-B/32 and VGG-19, which are not available here; this trains
 * the substitute in ldfusion.ts (fusionLoss: intensity against the brighter source, Sobel
 * gradient against the stronger edge, SSIM to both), as the weights' metadata says. As the
 * authors do, the encoders see the images with 0.03·N(0, 1) noise added and the loss compares
 * with the clean ones. Their schedule (224² crops, batch 16, Adam 5e-4, 100 epochs of M3FD; spec
 * §4.3) needs a real GPU; the defaults are a short one on random 64² crops.
 */
import { LDFusion } from '../src/models/ldfusion.ts';
import { mulberry32 } from '../src/random.ts';
import { tensor } from '../src/tensor/create.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { add } from '../src/ops/index.ts';
import { train } from '../src/training/loop.ts';
import { runGpuScript } from './lib/run-script.ts';
import { parseTrainingArgs } from './lib/train-cli.ts';

const setup = () => parseTrainingArgs(process.argv.slice(2), {
  data: '../shared/data/roadscene', steps: 200, batch: 2, crop: 64, lr: 5e-4, seed: 3407,
  optimiser: 'adam', decayAt: [1 / 2, 3 / 4], decay: 0.5,
  out: 'weights/ldfusion.safetensors', checkpointEvery: 25,
});
const NOISE = 0.03;

/** x + 0.03·N(0, 1), Box–Muller from the seeded generator. */
function noisy(x: Tensor, random: () => number): Tensor {
  const noise = new Float32Array(x.size);
  for (let i = 0; i < noise.length; i++) {
    noise[i] = NOISE * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  return add(x, tensor(noise, x.shape));
}

runGpuScript('train-ldfusion', setup, async ({ schedule }) => {
  const model = new LDFusion({ seed: schedule.seed });
  const random = mulberry32(schedule.seed + 1);
  await train({
    name: 'train-ldfusion',
    model,
    loss: (vis, ir) => model.loss({ vis, ir }, undefined, { vis: noisy(vis, random), ir: noisy(ir, random) }),
    metadata: {
      model: 'LDFusion (wyhlaowang/LDFusion), the authors\' Enc/Dec state-dict names',
      loss: 'substitute for CLIP + VGG (not available): 1·MSE(f, max(v, i)) + 10·L1(|∇f|, max(|∇v|, |∇i|)) + SSIM(f, v) + SSIM(f, i)',
    },
    parts: { encoder: model.encoder, decoder: model.decoder },
  }, schedule);
  model.dispose();
});

/**
 * Makes docs/sample-fused.png for the README: the built-in sample pair fused with the same
 * preset as `npm run fuse`, shown as IR | visible | fused, each scaled up 3× (nearest).
 * Usage: node --import tsx scripts/make-readme-image.ts
 */
import { writeFileSync } from 'node:fs';
import { fuseImages } from '../src/fusion/pipeline.ts';
import { encodePng } from '../src/io/encode.ts';
import type { Image } from '../src/io/image.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { init, shutdown } from '../src/tensor/context.ts';

const SCALE = 3;

function sideBySide(images: Image[]): Image {
  const h = images[0].height;
  const w = images.reduce((s, im) => s + im.width, 0);
  const data = new Float32Array(w * SCALE * h * SCALE * 3);
  let x0 = 0;
  for (const im of images) {
    for (let y = 0; y < h * SCALE; y++) {
      for (let x = 0; x < im.width * SCALE; x++) {
        const src = Math.floor(y / SCALE) * im.width + Math.floor(x / SCALE);
        const dst = (y * w * SCALE + x0 + x) * 3;
        for (let c = 0; c < 3; c++) data[dst + c] = im.channels === 1 ? im.data[src] : im.data[src * 3 + c];
      }
    }
    x0 += im.width * SCALE;
  }
  return { width: w * SCALE, height: h * SCALE, channels: 3, data };
}

const rt = await init();
const { ir, vis } = makeSamplePair(96, 72);
const result = await fuseImages(ir, vis, { hidden: 64, steps: 200, seed: 0 });
writeFileSync(new URL('../docs/sample-fused.png', import.meta.url), encodePng(sideBySide([ir, vis, result.image])));
console.log(`docs/sample-fused.png: ${rt.report.description}, ${result.fit?.steps} steps in ${result.fit?.seconds.toFixed(1)} s, loss ${result.fit?.finalLoss.toFixed(4)}`);
shutdown();

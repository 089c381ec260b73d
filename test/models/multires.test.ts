/**
 * INRFuse on sources of different sizes (the multi-resolution case: e.g. RoadScene's 500×329 IR
 * with its 1404×1026 visible image): each loss term lives on its own source's grid, and the
 * pipeline renders at the larger grid (or any other size) with the visible colour resized.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, shutdown } from '../../src/index.ts';
import { fuseImages } from '../../src/fusion/pipeline.ts';
import { makeSamplePair } from '../../src/io/sample.ts';

test.before(async () => {
  await init({ quiet: true });
});
test.after(() => shutdown());

test('IR 20×16 with VIS 40×32: the fit runs on both grids and renders at VIS size', async () => {
  const ir = makeSamplePair(20, 16).ir;
  const vis = makeSamplePair(40, 32).vis;
  const result = await fuseImages(ir, vis, { hidden: 16, steps: 30, readEvery: 10, seed: 2 });
  assert.equal([result.width, result.height, result.image.channels], [40, 32, 3]);
  const fit = result.fit!;
  assert.ok(fit.finalLoss < fit.initialLoss, `loss ${fit.initialLoss} → ${fit.finalLoss}`);
  assert.ok(result.image.data.every((v) => v >= 0 && v <= 1));
});

test('super-resolution: scale 2.1 of the larger input', async () => {
  const { ir, vis } = makeSamplePair(20, 16);
  const result = await fuseImages(ir, vis, { hidden: 8, steps: 2, scale: 2.1 });
  assert.equal([result.width, result.height], [42, 34]);
});

test.run();

/**
 * Work larger than a binding is split: with the adapter's maxStorageBufferBindingSize lowered to
 * 64 KiB, rendering a fitted INR at 200×150 (a 16-wide layer of 30,000 points is 1.9 MB) goes
 * through row chunks and gives exactly the untiled result.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, shutdown } from '../../src/index.ts';
import { fitInrFuse, renderInrFuse } from '../../src/fusion/inr.ts';

const plane = (seed: number) => ({ width: 12, height: 9, data: new Float32Array(108).map((_, i) => ((i * 37 + seed) % 17) / 16) });

async function fitAndRender(maxStorageBufferBindingSize?: number): Promise<{ pixels: Float32Array; chunked: boolean }> {
  const rt = await init({ quiet: true, maxStorageBufferBindingSize });
  try {
    const fit = await fitInrFuse(plane(1), plane(4), { hidden: 16, steps: 5, readEvery: 5, seed: 3 });
    const readsBefore = rt.counters.reads;
    const pixels = await renderInrFuse(fit.model, 200, 150);
    fit.model.net.dispose();
    return { pixels, chunked: rt.counters.reads - readsBefore > 1 };
  } finally {
    shutdown();
  }
}

test('rendering under a lowered binding limit is tiled and matches the untiled render', async () => {
  const tiled = await fitAndRender(64 * 1024);
  const whole = await fitAndRender();
  assert.ok(tiled.chunked, 'the small limit should force several chunks');
  assert.not.ok(whole.chunked, 'the real limit fits the whole render in one chunk');
  let worst = 0;
  for (let i = 0; i < whole.pixels.length; i++) worst = Math.max(worst, Math.abs(whole.pixels[i] - tiled.pixels[i]));
  assert.ok(worst === 0, `tiled and untiled renders differ by ${worst}`);
});

test.run();

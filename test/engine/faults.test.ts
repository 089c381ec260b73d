/** Faults during a fit become clear errors: a lost device, a diverging loss. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FusegradError, init, shutdown } from '../../src/index.ts';
import { fitInrFuse } from '../../src/fusion/inr.ts';

const plane = (seed: number) => ({ width: 12, height: 9, data: new Float32Array(108).map((_, i) => ((i * 37 + seed) % 17) / 16) });

test('a diverging fit stops with a FusegradError naming the step (exit code 4)', async () => {
  await init({ quiet: true });
  try {
    await fitInrFuse(plane(1), plane(5), { hidden: 16, steps: 200, lr: 1e30, readEvery: 5 });
    assert.unreachable('the fit should have diverged');
  } catch (err) {
    assert.instance(err, FusegradError);
    assert.match((err as Error).message, /loss became (NaN|-?Infinity) at step \d+/);
    assert.is((err as FusegradError).exitCode, 4);
  } finally {
    shutdown();
  }
});

test('device loss mid-fit (device.destroy()) gives a clear error, not a hang', async () => {
  const rt = await init({ quiet: true });
  const started = Date.now();
  try {
    await fitInrFuse(plane(2), plane(3), {
      hidden: 16, steps: 10_000, readEvery: 2,
      onProgress: (p) => { if (p.step >= 4) rt.device.destroy(); },
    });
    assert.unreachable('the fit should have failed');
  } catch (err) {
    assert.instance(err, FusegradError, String(err));
    assert.match((err as Error).message, 'GPU device was lost');
    assert.ok(Date.now() - started < 60_000);
  } finally {
    shutdown();
  }
  // The library can start over on a new device.
  const again = await init({ quiet: true });
  assert.is.not(again, rt);
  const result = await fitInrFuse(plane(2), plane(3), { hidden: 8, steps: 2, readEvery: 1 });
  assert.ok(Number.isFinite(result.finalLoss));
  result.model.net.dispose();
  shutdown();
});

test.run();

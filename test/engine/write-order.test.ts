// Runtime.write is ordered after work already recorded on the same buffer: loading weights into
// a tensor made by a fill (ones/zeros, recorded, not yet submitted) must not be erased by it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ones, runtime, shutdown } from '../../src/index.ts';

await init({ quiet: true });
test.after(() => shutdown());

test('a write after a recorded fill of the same buffer wins', async () => {
  const t = ones([4]); // the fill is recorded, not submitted
  runtime().write(t.buffer, Float32Array.from([5, 6, 7, 8]));
  assert.equal([...(await t.read())], [5, 6, 7, 8]);
  t.dispose();
});

test.run();

/**
 * Reads that do not wait (Runtime.readLater, Tensor.itemLater): the value is the tensor's as of
 * the call, whatever runs before it is awaited. The INRFuse fit takes its loss reads this way,
 * one read behind, so each reported loss must still be the loss of the step it names.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ones, runtime, shutdown } from '../../src/index.ts';
import { fitInrFuse } from '../../src/fusion/inr.ts';

await init({ quiet: true });
test.after(() => shutdown());

test('itemLater() is the value as of the call: a write after it does not change it', async () => {
  const t = ones([1]); // recorded, not yet submitted: the read is ordered after it
  const later = t.itemLater();
  runtime().write(t.buffer, Float32Array.of(5));
  assert.is(await t.item(), 5);
  assert.is(await later, 1);
  t.dispose();
});

test('a fit read every 3 steps reports, at each step it reads, the loss that reading every step gives', async () => {
  const plane = (seed: number) => ({ width: 12, height: 9, data: new Float32Array(108).map((_, i) => ((i * 37 + seed) % 17) / 16) });
  const fit = async (readEvery: number) => {
    const result = await fitInrFuse(plane(1), plane(4), { hidden: 16, steps: 10, readEvery, seed: 3 });
    result.model.net.dispose();
    return new Map(result.losses.map((l) => [l.step, l.loss]));
  };
  const everyStep = await fit(1);
  const everyThird = await fit(3);
  assert.equal([...everyThird.keys()], [1, 2, 3, 6, 9, 10]);
  assert.is(everyStep.size, 10);
  for (const [step, loss] of everyThird) assert.is(loss, everyStep.get(step), `step ${step}`);
  assert.is.not(everyStep.get(1), everyStep.get(10), 'the loss never changed');
});

test('a fit reports its first two steps at once, each before the next step is issued', async () => {
  const plane = (seed: number) => ({ width: 12, height: 9, data: new Float32Array(108).map((_, i) => ((i * 37 + seed) % 17) / 16) });
  const issued = new Map<number, number>(); // dispatches issued so far, at each step's report
  const result = await fitInrFuse(plane(1), plane(4), {
    hidden: 16, steps: 10, readEvery: 5, seed: 3, onProgress: (p) => issued.set(p.step, runtime().counters.dispatches),
  });
  result.model.net.dispose();
  assert.equal([...issued.keys()], [1, 2, 5, 10]);
  // step 5's report is taken in at the next read, after step 10 is issued: steps 3..10 lie between
  const perStep = ((issued.get(5) ?? 0) - (issued.get(2) ?? 0)) / 8;
  assert.ok(perStep > 0 && Number.isInteger(perStep), `${perStep} dispatches a step`);
  assert.is((issued.get(2) ?? 0) - (issued.get(1) ?? 0), perStep, 'one step between the first two reports');
});

test.run();

/**
 * A/B of engine settings, alternated in one process, so that a GPU's drift (clocks, other tenants)
 * falls on every setting alike:
 *   npm run bench:ab -- [--sizes 64,128] [--rounds 9] [--steps N] [--didfuse 128|0] [--json]
 * For each SIREN size, every setting records its own training step (settings apply when a step is
 * recorded: Runtime.capture), then rounds alternate the settings, each round timing `steps` replayed
 * steps between two waits; DIDFuse's eager training step (batch 2, --didfuse size²) alternates the
 * split-K settings the same way. Prints the median it/s, the spread and the dispatches per step of
 * each setting (one JSON line each with --json). The first round warms up and is not counted.
 * Session 12's figures (bench/RESULTS.md) came from this script.
 */
import { init, optim, shutdown, tensor, tidy, type Tensor } from '../src/index.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { matmulSplit } from '../src/ops/matmul.ts';
import { TARGET_THREADS, WAVE_THREADS, slicedK, transposeBFirst } from '../src/ops/matmul_kernel.ts';
import { pairedGradientSums } from '../src/ops/sine_linear.ts';
import { companionSums, firstLayerSums, lastLayerSums, weightGradientBeside } from '../src/ops/siren_mlp.ts';
import { sharedFirstPass } from '../src/ops/siren_mlp_forward.ts';
import { flag } from './flags.ts';
import { syntheticPlane } from './fusion-models.ts';
import { fmt, summarize } from './harness.ts';
import { SirenWorkload, sirenFlops } from './siren.ts';

const sizes = flag('sizes', '64,128').split(',').map(Number).filter((n) => n > 0);
const rounds = Math.max(1, Number(flag('rounds', '9')) || 9);
const stepsFlag = flag('steps', '');
const didfuseSize = Number(flag('didfuse', '128'));
const json = process.argv.includes('--json');

interface Setting {
  name: string;
  /** applied after `defaults()`, before the setting's step is recorded or run */
  apply: () => void;
}

/** The knobs a setting touches, as this process started with them (FUSEGRAD_SLICED_K=0 included). */
const initial = { copies: transposeBFirst.force, paired: pairedGradientSums.enabled, companion: companionSums.enabled, beside: weightGradientBeside.enabled, first: firstLayerSums.enabled, last: lastLayerSums.enabled, firstPass: sharedFirstPass.enabled, sliced: slicedK.enabled, splitThreads: matmulSplit.threads };
function defaults(): void {
  transposeBFirst.force = initial.copies;
  pairedGradientSums.enabled = initial.paired;
  companionSums.enabled = initial.companion;
  weightGradientBeside.enabled = initial.beside;
  firstLayerSums.enabled = initial.first;
  lastLayerSums.enabled = initial.last;
  sharedFirstPass.enabled = initial.firstPass;
  slicedK.enabled = initial.sliced;
  matmulSplit.threads = initial.splitThreads;
}

const ENGINE: Setting = { name: 'engine default', apply: () => {} };
const TWO_WAVES: Setting = { name: 'split-K to two waves', apply: () => { matmulSplit.threads = TARGET_THREADS; } };
const HALF_WAVE: Setting = { name: 'split-K to half a wave', apply: () => { matmulSplit.threads = WAVE_THREADS / 2; } };
const SIREN_SETTINGS: Setting[] = [
  ENGINE,
  { name: 'dW and db sums in passes of their own (no companion)', apply: () => { companionSums.enabled = false; } },
  // the flip side of the engine's default, whichever that is
  { name: 'first layer dW as a product of its own (not in the epilogue before it)', apply: () => { firstLayerSums.enabled = false; } },
  { name: 'last layer dW as a product of its own (not in its product\'s epilogue)', apply: () => { lastLayerSums.enabled = false; } },
  // the forward's products read W [out, in] with the Bᵀ core: no pass of Wᵀ copies, slower loads
  { name: 'W read as stored (no Wᵀ copies)', apply: () => { transposeBFirst.force = false; } },
  { name: 'first layer and the Wᵀ copies in passes apart (not one)', apply: () => { sharedFirstPass.enabled = false; } },
  { name: `hidden dW ${initial.beside ? 'in passes of their own' : 'beside the product through the sine'}`, apply: () => { weightGradientBeside.enabled = !initial.beside; } },
  { name: 'dW and db sums apart', apply: () => { pairedGradientSums.enabled = false; } },
  TWO_WAVES,
  { name: 'K not sliced within workgroups', apply: () => { slicedK.enabled = false; } },
  HALF_WAVE,
];
const DIDFUSE_SETTINGS: Setting[] = [ENGINE, TWO_WAVES, HALF_WAVE];

interface Row {
  workload: string;
  setting: string;
  itPerS: number;
  min: number;
  max: number;
  dispatchesPerStep: number;
  gflops?: number;
}

const rt = await init();
const rows: Row[] = [];

/**
 * Alternates `run` over the settings for `rounds` rounds after one warm-up round; `run(i)` issues
 * `steps` steps of setting i (its knobs already applied). Returns each setting's rates and the
 * dispatches per step of its last round.
 */
async function alternate(settings: Setting[], steps: number, run: (i: number) => void | Promise<void>) {
  const rates: number[][] = settings.map(() => []);
  const dispatches: number[] = settings.map(() => 0);
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < settings.length; i++) {
      defaults();
      settings[i].apply();
      await rt.sync();
      const before = rt.counters.dispatches;
      const started = performance.now();
      await run(i);
      await rt.sync();
      const seconds = (performance.now() - started) / 1e3;
      if (round >= 0) rates[i].push(steps / seconds);
      dispatches[i] = (rt.counters.dispatches - before) / steps;
    }
  }
  defaults();
  return settings.map((s, i) => {
    const { median, min, max } = summarize(rates[i]);
    return { setting: s.name, itPerS: median, min, max, dispatchesPerStep: dispatches[i] };
  });
}

try {
  for (const size of sizes) {
    const steps = Number(stepsFlag) || (size <= 64 ? 200 : 60);
    const workloads = SIREN_SETTINGS.map((s) => {
      defaults();
      s.apply();
      const workload = new SirenWorkload(size);
      workload.replayStep(); // records the step under this setting
      return workload;
    });
    const results = await alternate(SIREN_SETTINGS, steps, async (i) => {
      for (let s = 0; s < steps; s++) {
        workloads[i].replayStep();
        await rt.throttle();
      }
    });
    for (const r of results) rows.push({ workload: `SIREN 5×256 step ${size}², replayed`, ...r, gflops: (r.itPerS * sirenFlops(size * size)) / 1e9 });
    for (const w of workloads) w.dispose();
  }
  if (didfuseSize > 0) {
    const size = didfuseSize;
    const model = new DIDFuse({ seed: 1 });
    const adam = new optim.Adam(model.parameters(), { lr: 1e-4 });
    const [vis, ir] = [0, 1].map((phase) => tensor(syntheticPlane(2 * size * size, phase), [2, 1, size, size]));
    const steps = Number(stepsFlag) || 20;
    const results = await alternate(DIDFUSE_SETTINGS, steps, async () => {
      for (let s = 0; s < steps; s++) {
        tidy(() => {
          adam.zeroGrad();
          const loss: Tensor = model.loss(vis, ir).total;
          loss.backward();
          adam.step();
        });
        await rt.throttle();
      }
    });
    for (const r of results) rows.push({ workload: `DIDFuse training step 2×${size}², eager`, ...r });
    for (const t of [vis, ir]) t.dispose();
    adam.dispose();
    model.dispose();
  }
} finally {
  defaults();
}

const adapter = `${rt.report.description} (vendor ${rt.report.vendor}, tuning ${rt.tuning})`;
if (json) {
  for (const row of rows) console.log(JSON.stringify({ ...row, rounds, adapter }));
} else {
  console.log(`adapter: ${adapter}; rounds: ${rounds}, medians`);
  console.log('| workload | setting | it/s | min–max | dispatches a step | GFLOP/s |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.workload} | ${r.setting} | ${fmt(r.itPerS)} | ${fmt(r.min)}–${fmt(r.max)} | ${r.dispatchesPerStep.toFixed(1)} | ${fmt(r.gflops)} |`);
  }
}
await shutdown();

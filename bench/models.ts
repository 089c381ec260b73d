/**
 * End to end: what a user of each model waits for.
 *   INRFuse: training steps/s of the real fit (fitInrFuse, the CLI's defaults) on the built-in
 *     sample at 64², 128², 256², and the time to a fit: the CLI's 500 steps with its plateau stop,
 *     run for real when that takes at most FIT_BUDGET_S, else estimated as 500 steps ÷ steps/s
 *     (marked "estimated"; SwiftShader needs minutes per 100 steps).
 *   DIDFuse, encoder–decoder, LD-Lite, LDFusion: inference frames/s at 256² and 640×480 (quick
 *     mode: DIDFuse at 64²), with upload of both planes and readback of the result, and without them
 *     (resident inputs, the GPU's completion awaited). Seeded random weights of the real shapes:
 *     speed does not depend on the values. Each model first runs once at 64² (compiles its
 *     pipelines); frames at full size take minutes on SwiftShader, so one timed frame each there.
 */
import { fitInrFuse } from '../src/fusion/inr.ts';
import { noGrad, tensor, tidy, type Tensor } from '../src/index.ts';
import { toGrey } from '../src/io/colour.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { BENCH_MODELS, syntheticPlane } from './fusion-models.ts';
import { type Result, type Suite, resultFromValues } from './harness.ts';

const SUITE = 'models';
const CLI_STEPS = 500;
const FIT_BUDGET_S = 120;

const seconds = (since: number) => (performance.now() - since) / 1000;

export const models: Suite = {
  name: SUITE,
  description: 'INRFuse steps/s and time to a fit at 64²/128²/256²; DIDFuse, encoder–decoder, LD-Lite, LDFusion FPS at 256² and 640×480',
  async run(ctx) {
    const rt = await ctx.runtime();
    const results: Result[] = [];
    const push = (name: string, unit: 'it/s' | 'FPS' | 's', values: number[], extra: Result['extra'] = {}) =>
      results.push(resultFromValues(values, { suite: SUITE, name, work: { unit }, extra }));

    for (const size of ctx.quick ? [64] : [64, 128, 256]) {
      ctx.log(`models: INRFuse ${size}²`);
      const sample = makeSamplePair(size, size);
      const ir = { width: size, height: size, data: sample.ir.data };
      const vis = { width: size, height: size, data: toGrey(sample.vis).data };
      // A short fit: its first read includes pipeline compilation, so the rate is from the first
      // read to the last. On a GPU a step is a millisecond or less: 200 steps, read every 10 as
      // the CLI does (on SwiftShader, seconds each: a few steps, read twice).
      const gpu = rt.tuning === 'gpu';
      const probeSteps = gpu ? 200 : ctx.quick ? 3 : 6;
      const readEvery = gpu ? 10 : probeSteps - 1;
      const marks: { step: number; at: number }[] = [];
      const probe = await fitInrFuse(ir, vis, { steps: probeSteps, readEvery, onProgress: (p) => { marks.push({ step: p.step, at: performance.now() }); } });
      probe.model.net.dispose();
      const [first, last] = [marks[0], marks[marks.length - 1]];
      const stepsPerSecond = (last.step - first.step) / ((last.at - first.at) / 1000);
      push(`INRFuse fit ${size}² (sample, 5×256 SIREN)`, 'it/s', [stepsPerSecond], { size });
      const estimate = CLI_STEPS / stepsPerSecond;
      if (estimate <= FIT_BUDGET_S) {
        const started = performance.now();
        const fit = await fitInrFuse(ir, vis, { steps: CLI_STEPS, plateauPatience: 10 });
        fit.model.net.dispose();
        push(`INRFuse time to a fit ${size}² (${fit.steps} steps${fit.stoppedEarly ? ', plateau stop' : ''})`, 's', [seconds(started)], { size, steps: fit.steps, loss: fit.finalLoss });
      } else {
        push(`INRFuse time to a fit ${size}² (estimated: ${CLI_STEPS} steps ÷ steps/s)`, 's', [estimate], { size, estimated: true });
      }
    }

    // quick mode (a smoke test under 2 minutes with the other suites): DIDFuse at 64² only
    const sizes: [number, number][] = ctx.quick ? [[64, 64]] : [[256, 256], [640, 480]];
    // One frame per figure on SwiftShader (a full-size frame takes a minute); on a GPU, the median of several.
    const repeats = rt.report.swiftshader ? 1 : 7;
    for (const make of ctx.quick ? [BENCH_MODELS.didfuse] : Object.values(BENCH_MODELS)) {
      const { label: name, model, frame } = make();
      model.train(false);
      /** the IR and VIS planes of a width×height frame, on the host */
      const planes = (width: number, height: number) => [0, 1].map((phase) => syntheticPlane(width * height, phase));
      const upload = (plane: Float32Array, width: number, height: number): Tensor => tensor(plane, [1, 1, height, width]);
      try {
        /** seconds of one frame: upload of both planes, the forward pass, readback */
        const withTransfers = async (width: number, height: number) => {
          const [irPlane, visPlane] = planes(width, height);
          const started = performance.now();
          const out = noGrad(() => tidy(() => frame(upload(irPlane, width, height), upload(visPlane, width, height))));
          await out.read();
          out.dispose();
          return seconds(started);
        };
        ctx.log(`models: ${name} warm-up at 64²`);
        await withTransfers(64, 64);
        for (const [width, height] of sizes) {
          ctx.log(`models: ${name} ${width}×${height}`);
          const label = `${name} ${width}×${height}`;
          if (repeats > 1) await withTransfers(width, height); // a GPU frame is milliseconds: warm this size first
          const withIo: number[] = [];
          for (let r = 0; r < repeats; r++) withIo.push(1 / await withTransfers(width, height));
          push(`${label} upload + forward + readback`, 'FPS', withIo, { width, height });
          const [ir, vis] = planes(width, height).map((plane) => upload(plane, width, height));
          const resident: number[] = [];
          for (let r = 0; r < repeats; r++) {
            await rt.sync();
            const started = performance.now();
            noGrad(() => tidy(() => frame(ir, vis))).dispose();
            await rt.sync();
            resident.push(1 / seconds(started));
          }
          push(`${label} forward only (resident inputs)`, 'FPS', resident, { width, height });
          ir.dispose();
          vis.dispose();
        }
      } finally {
        model.dispose();
      }
    }
    return results;
  },
};

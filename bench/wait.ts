/**
 * What waiting costs: the step rate of a small training loop with the runtime's two wait
 * strategies, in the same process, one runtime after the other (shutdown() between), in
 * alternating rounds so that both see the same load on a shared host:
 *   'spin'    dawn.node's own behaviour: the JS thread re-arms setImmediate while a GPU promise
 *             is pending, i.e. a core at 100% while waiting;
 *   'backoff' the engine's default (src/gpu/wait.ts): a few immediate polls, then 1 ms timers.
 * On SwiftShader the "GPU" is the other CPU core(s), so a spinning main thread takes compute
 * from the kernels; on a real GPU it only burns power. Each is run reading the loss every step
 * (a full round trip per step) and every 10 steps (rt.throttle() bounds the run-ahead).
 *
 * The model: a 3-layer MLP, Linear(2,W)+sin, Linear(W,W)+sin, Linear(W,1), MSE to a smooth
 * target on N grid points, Adam (lr 1e-3); weights from a seeded PRNG, the same for both strategies.
 */
import {
  init, optim, shutdown, tensor, tidy, uniform, mulberry32, type Runtime, type Tensor,
} from '../src/index.ts';
import { type BenchContext, type Result, type Suite, type Timing, measure, mergeTimings, toResult } from './harness.ts';

const SUITE = 'wait';
type Strategy = 'backoff' | 'spin';

interface Config { width: number; points: number }

/** Matmul FLOPs of one step: forward, dW of every layer, dX of every layer but the first. */
function stepFlops({ width: w, points: n }: Config): number {
  const layers = [[2, w], [w, w], [w, 1]];
  const fwd = layers.reduce((s, [i, o]) => s + 2 * n * i * o, 0);
  const dx = layers.slice(1).reduce((s, [i, o]) => s + 2 * n * i * o, 0);
  return 2 * fwd + dx;
}

interface Mlp {
  params: Tensor[];
  x: Tensor;
  y: Tensor;
  forward(): Tensor;
}

function buildMlp({ width, points }: Config): Mlp {
  const random = mulberry32(2024);
  const dims = [2, width, width, 1];
  const params: Tensor[] = [];
  for (let l = 0; l < 3; l++) {
    const bound = Math.sqrt(6 / dims[l]);
    params.push(uniform([dims[l], dims[l + 1]], -bound, bound, random, { requiresGrad: true, label: `W${l}` }));
    params.push(uniform([dims[l + 1]], -0.1, 0.1, random, { requiresGrad: true, label: `b${l}` }));
  }
  const side = Math.round(Math.sqrt(points));
  const xs = new Float32Array(points * 2);
  const ys = new Float32Array(points);
  for (let p = 0; p < points; p++) {
    const u = -1 + (2 * (p % side)) / (side - 1);
    const v = -1 + (2 * Math.floor(p / side)) / (side - 1);
    xs[2 * p] = u;
    xs[2 * p + 1] = v;
    ys[p] = Math.sin(3 * u) * Math.cos(2 * v);
  }
  const x = tensor(xs, [points, 2]);
  const y = tensor(ys, [points, 1]);
  return {
    params, x, y,
    forward() {
      let h = x;
      for (let l = 0; l < 3; l++) {
        h = h.matmul(params[2 * l]).add(params[2 * l + 1]);
        if (l < 2) h = h.sin();
      }
      return h.mse(y);
    },
  };
}

const READ_EVERY = [1, 10] as const;

/** One round for one strategy: a fresh runtime and model, one timed run per read interval. */
async function runRound(ctx: BenchContext, config: Config, wait: Strategy, stepsPerRun: number): Promise<Map<number, { timing: Timing; loss: number }>> {
  shutdown();
  const rt: Runtime = await init({ wait, quiet: true });
  const mlp = buildMlp(config);
  const adam = new optim.Adam(mlp.params, { lr: 1e-3 });
  const out = new Map<number, { timing: Timing; loss: number }>();
  let lastLoss = NaN;
  try {
    for (const readEvery of READ_EVERY) {
      const timing = await measure(rt, ctx.host, async (i) => {
        const loss = tidy(() => {
          adam.zeroGrad();
          const l = mlp.forward();
          l.backward();
          adam.step();
          return l;
        });
        if ((i + 1) % readEvery === 0) lastLoss = await loss.item();
        loss.dispose();
        await rt.throttle();
      }, { warmup: 1, warmupIterations: 2, runs: 1, iterations: stepsPerRun, timestamps: false });
      out.set(readEvery, { timing, loss: lastLoss });
    }
  } finally {
    adam.dispose();
    [...mlp.params, mlp.x, mlp.y].forEach((t) => t.dispose());
    shutdown();
  }
  return out;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `×${(a / b).toFixed(2)}` : '–';
}

export const wait: Suite = {
  name: SUITE,
  description: "training-loop step rate and CPU per step with wait 'backoff' vs 'spin'",
  async run(ctx) {
    // 256-wide is the brief's model (on 1024 points: at 4096 a step takes several seconds on
    // SwiftShader and the suite tens of minutes); 64-wide is latency-bound, where waiting matters
    // most. Quick mode runs only the small one.
    const configs: Config[] = ctx.quick
      ? [{ width: 64, points: 1024 }]
      : [{ width: 256, points: 1024 }, { width: 64, points: 1024 }];
    const results: Result[] = [];
    const rounds = ctx.quick ? 2 : 3;
    const stepsPerRun = 10;
    for (const config of configs) {
      const flops = stepFlops(config);
      // The host is shared and its load drifts: alternate the strategies round by round (ABBA…)
      // so that both see the same conditions, and merge each strategy's runs.
      const timings = new Map<string, Timing[]>();
      const losses = new Map<string, number>();
      for (let round = 0; round < rounds; round++) {
        const order: Strategy[] = round % 2 === 0 ? ['backoff', 'spin'] : ['spin', 'backoff'];
        for (const strategy of order) {
          ctx.log(`wait: MLP 3×${config.width} on ${config.points} points, wait ${strategy}, round ${round + 1}/${rounds}`);
          for (const [readEvery, { timing, loss }] of await runRound(ctx, config, strategy, stepsPerRun)) {
            const key = `${strategy}/${readEvery}`;
            timings.set(key, [...(timings.get(key) ?? []), timing]);
            losses.set(key, loss);
          }
        }
      }
      const byStrategy = new Map<Strategy, Result[]>();
      for (const strategy of ['backoff', 'spin'] as const) {
        const list = READ_EVERY.map((readEvery) => {
          const key = `${strategy}/${readEvery}`;
          const r = toResult(mergeTimings(timings.get(key)!), {
            suite: SUITE,
            name: `MLP 3×${config.width} on ${config.points} pts, wait ${strategy}, read every ${readEvery === 1 ? 'step' : `${readEvery} steps`}`,
            work: { unit: 'it/s' },
            extra: { wait: strategy, readEvery, width: config.width, points: config.points, stepFlops: flops, lossAfter: losses.get(key) ?? null },
          });
          const gflops = (r.median * flops) / 1e9;
          r.extra.gflops = gflops;
          if (ctx.ceilings.matmulGflops) r.roofline = gflops / ctx.ceilings.matmulGflops;
          return r;
        });
        byStrategy.set(strategy, list);
        results.push(...list);
      }
      const backoff = byStrategy.get('backoff')!;
      const spin = byStrategy.get('spin')!;
      backoff.forEach((b, k) => {
        const s = spin[k];
        const every = b.extra.readEvery === 1 ? 'every step' : `every ${b.extra.readEvery} steps`;
        ctx.notes.push(
          `wait, MLP 3×${config.width}/${config.points} pts, read ${every}: spin vs backoff it/s ${ratio(s.median, b.median)}` +
          // a page cannot read CPU time: no CPU figures in Chromium
          (s.cpu && b.cpu
            ? `, process CPU s/step ${ratio(s.cpu.process, b.cpu.process)} (${s.cpu.process.toFixed(3)} vs ${b.cpu.process.toFixed(3)}), ` +
              `main-thread CPU s/step ${ratio(s.cpu.main, b.cpu.main)} (${s.cpu.main?.toFixed(3)} vs ${b.cpu.main?.toFixed(3)})`
            : ''),
        );
      });
    }
    return results;
  },
};

/**
 * The adapter's ceilings, measured with our own WGSL: what fraction of them every other
 * benchmark reaches is the "of roofline" column.
 *   - fp32 matmul at 1024³: the engine's ops.matmul and the bench-only variants in kernels.ts;
 *     the ceiling is the best of them.
 *   - vec4 copy of 64 (and 256) MiB, GB/s counting read + write bytes.
 *   - dispatch overhead: µs per tiny dispatch inside one pass (raw, and through the engine's
 *     dispatch path), and µs per submit + wait round trip with each wait strategy.
 */
import { ops, tensor, tidy, full, type Runtime } from '../src/index.ts';
import {
  type BenchContext, type Result, type Suite, type Timing, measure, planIterations, toResult,
} from './harness.ts';
import {
  MATMUL_TOLERANCE, benchPipeline, bindGroup, foldGrid, matmulError, randomMatrix, storageBuffer, submitDispatches,
} from './gpu-util.ts';
import { COPY16_WGSL, COPY_WGSL, MATMUL_VARIANTS, TINY_WGSL, matmulTile, matmulWgsl } from './kernels.ts';

const SUITE = 'roofline';
const SIZE = 1024;

/** Divides a timing of batches of `n` items into per-item figures. */
function perItem(t: Timing, n: number): Timing {
  const div = (xs: number[] | null): number[] | null => xs && xs.map((x) => x / n);
  return { ...t, iterations: t.iterations * n, wallMs: div(t.wallMs)!, gpuMs: div(t.gpuMs), cpuProcess: div(t.cpuProcess), cpuMain: div(t.cpuMain) };
}

async function matmulCeilings(ctx: BenchContext, rt: Runtime): Promise<Result[]> {
  const M = SIZE, N = SIZE, K = SIZE;
  const flops = 2 * M * N * K;
  const runs = ctx.quick ? 3 : 7;
  const a = randomMatrix(M * K, 1);
  const b = randomMatrix(K * N, 2);
  const results: Result[] = [];

  // The engine's kernel, through the engine's own path (tensors, rt.dispatch, pool).
  {
    const ta = tensor(a, [M, K]);
    const tb = tensor(b, [K, N]);
    const timing = await measure(rt, ctx.host, () => {
      tidy(() => { ops.matmul(ta, tb); });
      rt.flush();
    }, { warmup: 1, runs, iterations: planIterations(rt, 1) }); // ≥ 0.3 s per matmul on SwiftShader: no calibration needed there
    const c = tidy(() => ops.matmul(ta, tb));
    const err = matmulError(a, b, await c.read(), M, N, K);
    [c, ta, tb].forEach((t) => t.dispose());
    results.push(toResult(timing, {
      suite: SUITE, name: `matmul ${SIZE}³ engine ops.matmul`, work: { unit: 'GFLOP/s', flops },
      extra: { kernel: 'shaders/matmul.wgsl', relErr: err },
    }));
    if (err > MATMUL_TOLERANCE) ctx.notes.push(`roofline: engine matmul ${SIZE}³ relative error ${err.toExponential(1)} (over ${MATMUL_TOLERANCE})`);
  }

  // Bench-only variants (quick mode: only the one that did best on SwiftShader so far).
  const device = rt.device;
  const variants = ctx.quick ? MATMUL_VARIANTS.filter((v) => v.quick) : MATMUL_VARIANTS;
  const A = storageBuffer(device, a.byteLength, 'bench A');
  const B = storageBuffer(device, b.byteLength, 'bench B');
  const C = storageBuffer(device, M * N * 4, 'bench C');
  const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'bench dims' });
  device.queue.writeBuffer(A, 0, a);
  device.queue.writeBuffer(B, 0, b);
  device.queue.writeBuffer(dims, 0, new Uint32Array([M, N, K, 0]));
  try {
    for (const v of variants) {
      const p = await benchPipeline(device, matmulWgsl(v), v.name, ['read', 'read', 'storage', 'uniform']);
      const group = bindGroup(device, p, [A, B, C, dims], v.name);
      const [tileRows, tileCols] = matmulTile(v);
      const grid: [number, number, number] = [N / tileCols, M / tileRows, 1];
      device.queue.writeBuffer(C, 0, new Float32Array(M * N)); // a stale result must not pass the check
      const timing = await measure(rt, ctx.host, () => submitDispatches(device, p, group, grid), { warmup: 1, runs, iterations: planIterations(rt, 1) });
      const err = matmulError(a, b, new Float32Array(await rt.read(C, M * N * 4)), M, N, K);
      results.push(toResult(timing, {
        suite: SUITE, name: `matmul ${SIZE}³ bench ${v.name}`, work: { unit: 'GFLOP/s', flops },
        extra: { kernel: v.name, idea: v.idea, relErr: err },
      }));
      if (err > MATMUL_TOLERANCE) {
        ctx.notes.push(`roofline: ${v.name} relative error ${err.toExponential(1)}: excluded from the ceiling`);
        results[results.length - 1].extra.wrong = true;
      }
    }
  } finally {
    [A, B, C, dims].forEach((x) => x.destroy());
  }

  const valid = results.filter((r) => !r.extra.wrong && (r.extra.relErr as number) <= MATMUL_TOLERANCE);
  const best = valid.reduce((x, y) => (y.median > x.median ? y : x), valid[0]);
  if (best) {
    ctx.ceilings.matmulGflops = best.median;
    ctx.notes.push(`roofline: matmul ceiling ${best.median.toPrecision(3)} GFLOP/s from "${best.name}"`);
  }
  for (const r of results) if (ctx.ceilings.matmulGflops) r.roofline = r.median / ctx.ceilings.matmulGflops;
  return results;
}

async function copyCeilings(ctx: BenchContext, rt: Runtime): Promise<Result[]> {
  const device = rt.device;
  const results: Result[] = [];
  const sizesMiB = ctx.quick ? [64] : [64, 256];
  const kernels = [
    { name: 'copy', code: COPY_WGSL, vec4PerInvocation: 1, workgroup: 256 },
    { name: 'copy16', code: COPY16_WGSL, vec4PerInvocation: 16, workgroup: 64 },
  ];
  for (const mib of sizesMiB) {
    const bytes = mib * 2 ** 20;
    if (bytes > rt.limits.maxStorageBufferBindingSize) continue;
    const src = storageBuffer(device, bytes, 'bench copy src');
    const dst = storageBuffer(device, bytes, 'bench copy dst');
    device.queue.writeBuffer(src, 0, new Float32Array(bytes / 4).fill(1.5));
    try {
      for (const k of kernels) {
        const p = await benchPipeline(device, k.code, k.name, ['read', 'storage']);
        const group = bindGroup(device, p, [src, dst], k.name);
        const grid = foldGrid(Math.ceil(bytes / 16 / k.vec4PerInvocation / k.workgroup), rt.limits.maxComputeWorkgroupsPerDimension);
        const timing = await measure(rt, ctx.host, () => submitDispatches(device, p, group, grid), {
          warmup: 1, runs: ctx.quick ? 5 : 9, targetMs: 200,
        });
        const tail = new Float32Array(await rt.read(dst, 16, bytes - 16));
        results.push(toResult(timing, {
          suite: SUITE, name: `${k.name} ${mib} MiB`, work: { unit: 'GB/s', bytes: 2 * bytes },
          extra: { kernel: k.name, MiB: mib, bytesCounted: 'read + write', checked: tail.every((x) => x === 1.5) },
        }));
      }
    } finally {
      src.destroy();
      dst.destroy();
    }
  }
  const best = Math.max(...results.filter((r) => r.extra.checked).map((r) => r.median));
  if (Number.isFinite(best)) ctx.ceilings.copyGBs = best;
  for (const r of results) if (ctx.ceilings.copyGBs) r.roofline = r.median / ctx.ceilings.copyGBs;
  return results;
}

async function dispatchOverhead(ctx: BenchContext, rt: Runtime): Promise<Result[]> {
  const device = rt.device;
  const results: Result[] = [];
  const perPass = 200;
  const runs = ctx.quick ? 5 : 9;
  const p = await benchPipeline(device, TINY_WGSL, 'tiny', ['read', 'storage']);
  const src = storageBuffer(device, 256, 'bench tiny src');
  const dst = storageBuffer(device, 256, 'bench tiny dst');
  const group = bindGroup(device, p, [src, dst], 'tiny');
  try {
    // Raw: one pipeline, one bind group, `perPass` dispatches in one pass.
    const raw = await measure(rt, ctx.host, () => submitDispatches(device, p, group, [1, 1, 1], perPass), { warmup: 2, runs, targetMs: 100 });
    results.push(toResult(perItem(raw, perPass), {
      suite: SUITE, name: 'tiny dispatch in one pass (raw WebGPU)', work: { unit: 'µs' },
      extra: { dispatchesPerSubmit: perPass },
    }));

    // Engine: a 64-element fill op = tensor from the pool + bind group + uniform slot + dispatch.
    const engine = await measure(rt, ctx.host, () => {
      tidy(() => { for (let i = 0; i < perPass; i++) full([64], i); });
      rt.flush();
    }, { warmup: 2, runs, targetMs: 100 });
    const engineResult = toResult(perItem(engine, perPass), {
      suite: SUITE, name: 'tiny op in one pass (engine: fill [64])', work: { unit: 'µs' },
      extra: { dispatchesPerSubmit: perPass },
    });
    results.push(engineResult);
    ctx.ceilings.dispatchUs = engineResult.median;

    // Round trip: one tiny dispatch, submit, wait; with each wait strategy of this runtime.
    const strategy = rt.waitStrategy;
    for (const wait of ['backoff', 'spin'] as const) {
      rt.waitStrategy = wait;
      try {
        const trip = await measure(rt, ctx.host, async () => {
          submitDispatches(device, p, group, [1, 1, 1]);
          await rt.sync();
        }, { warmup: 3, runs, targetMs: 100, timestamps: false });
        const r = toResult(trip, {
          suite: SUITE, name: `submit + wait round trip (wait: ${wait})`, work: { unit: 'µs' }, extra: { wait },
        });
        results.push(r);
        if (wait === strategy) ctx.ceilings.roundTripUs = r.median;
      } finally {
        rt.waitStrategy = strategy;
      }
    }
  } finally {
    src.destroy();
    dst.destroy();
  }
  return results;
}

export const roofline: Suite = {
  name: SUITE,
  description: 'adapter ceilings: fp32 matmul 1024³, vec4 copy, dispatch and round-trip overhead',
  async run(ctx) {
    const rt = await ctx.runtime();
    ctx.ceilings.source = 'this run';
    const results: Result[] = [];
    ctx.log('roofline: matmul 1024³ (engine + bench variants)');
    results.push(...await matmulCeilings(ctx, rt));
    ctx.log('roofline: copy');
    results.push(...await copyCeilings(ctx, rt));
    ctx.log('roofline: dispatch overhead');
    results.push(...await dispatchOverhead(ctx, rt));
    return results;
  },
};

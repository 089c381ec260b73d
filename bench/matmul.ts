/**
 * The engine's matmul (ops.matmul, shaders/matmul.wgsl) at the shapes that matter: square
 * 256³ and 1024³, and the SIREN layer shapes N×256×256 with the transposed forms of the
 * backward pass, exactly as the matmul op records them for y = x·W:
 *   forward  y  = x · W          x [N, 256], W [256, 256]
 *   dX       dx = dy · Wᵀ        (transB)
 *   dW       dW = xᵀ · dy        (transA; K = N, the long reduction)
 * (fusegrad's own SIREN layer stores W as [out, in], PyTorch's layout, so there the forward is the
 * transB product and dX the plain one: the same three kernels, the labels swapped.)
 * Each figure is GFLOP/s (2·M·N·K per matmul) and a fraction of the roofline matmul.
 */
import { ops, tensor, tidy } from '../src/index.ts';
import { slicedK } from '../src/ops/matmul_kernel.ts';
import { type Result, type Suite, measure, toResult } from './harness.ts';
import { MATMUL_TOLERANCE, matmulError, randomMatrix } from './gpu-util.ts';

const SUITE = 'matmul';

interface Case {
  name: string;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  /** with K never sliced within workgroups (src/ops/matmul_kernel.ts slicedK): the comparison rows */
  unsliced?: boolean;
}

function plain(size: number): Case {
  return { name: `${size}×${size}×${size}`, M: size, N: size, K: size, transA: false, transB: false };
}

/** The three matmuls of one SIREN hidden layer (width 256) on N points. */
function sirenLayer(points: number): Case[] {
  const w = 256;
  return [
    { name: `SIREN fwd x·W  ${points}×${w}×${w}`, M: points, N: w, K: w, transA: false, transB: false },
    { name: `SIREN dX dy·Wᵀ ${points}×${w}×${w}`, M: points, N: w, K: w, transA: false, transB: true },
    { name: `SIREN dW xᵀ·dy ${w}×${w}×${points}`, M: w, N: w, K: points, transA: true, transB: false },
  ];
}

export const matmul: Suite = {
  name: SUITE,
  description: 'engine ops.matmul GFLOP/s at 256³, 1024³ and the SIREN layer shapes (forward and backward)',
  async run(ctx) {
    const rt = await ctx.runtime();
    // what slicing K within workgroups buys: the same shapes unsliced (only the GPU tuning slices)
    const unsliced = (cases: Case[]) => (rt.tuning === 'gpu' ? cases.map((c) => ({ ...c, name: `${c.name} K not sliced`, unsliced: true })) : []);
    const cases = [plain(256), plain(1024), ...unsliced([plain(1024)]), ...sirenLayer(4096), ...unsliced(sirenLayer(4096)),
      ...(ctx.quick ? [] : [...sirenLayer(16384), ...unsliced(sirenLayer(16384))])];
    const results: Result[] = [];
    for (const c of cases) {
      ctx.log(`matmul: ${c.name}`);
      // Stored shapes: A is [K, M] when transA, B is [N, K] when transB.
      const aShape = c.transA ? [c.K, c.M] : [c.M, c.K];
      const bShape = c.transB ? [c.N, c.K] : [c.K, c.N];
      const a = randomMatrix(c.M * c.K, 11);
      const b = randomMatrix(c.K * c.N, 12);
      const ta = tensor(a, aShape);
      const tb = tensor(b, bShape);
      const options = { transA: c.transA, transB: c.transB };
      const slicedBefore = slicedK.enabled;
      if (c.unsliced) slicedK.enabled = false;
      try {
        const timing = await measure(rt, ctx.host, () => {
          tidy(() => { ops.matmul(ta, tb, options); });
          rt.flush();
        }, { warmup: 1, runs: ctx.quick ? 3 : 7, targetMs: ctx.quick ? 150 : 400 });
        const out = tidy(() => ops.matmul(ta, tb, options));
        const err = matmulError(a, b, await out.read(), c.M, c.N, c.K, c.transA, c.transB);
        out.dispose();
        const result = toResult(timing, {
          suite: SUITE, name: c.name, work: { unit: 'GFLOP/s', flops: 2 * c.M * c.N * c.K },
          ceiling: ctx.ceilings.matmulGflops,
          extra: { M: c.M, N: c.N, K: c.K, transA: c.transA, transB: c.transB, relErr: err },
        });
        results.push(result);
        if (err > MATMUL_TOLERANCE) ctx.notes.push(`matmul ${c.name}: relative error ${err.toExponential(1)} (over ${MATMUL_TOLERANCE})`);
      } finally {
        slicedK.enabled = slicedBefore;
        ta.dispose();
        tb.dispose();
      }
    }
    if (!ctx.ceilings.matmulGflops) ctx.notes.push('matmul: no roofline figures for this adapter yet (run the roofline suite once)');
    return results;
  },
};

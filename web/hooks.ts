/**
 * What the page exposes on `window.fusegradPage`, for the browser test (test/browser/) and for
 * anyone poking at the page from the console:
 *   state          the page's phase, the adapter, the last run's summary
 *   runOpChecks    runs engine ops on given inputs and returns values and gradients, so that
 *                  the op tests also run once in the browser against float64 references
 *                  computed outside the page
 */
import { backward, liveTensorCount, ops, tensor, tidy, type Tensor } from '../src/index.ts';
import type { BorderMode } from '../src/ops/sobel.ts';

export interface PageState {
  phase: 'starting' | 'ready' | 'unavailable' | 'running' | 'done' | 'error';
  /** the unavailable or error message; the status line otherwise */
  message: string;
  adapter: string;
  run?: {
    model: string;
    width: number;
    height: number;
    steps: number;
    stoppedEarly: boolean;
    finalLoss: number;
    seconds: number;
    previews: number;
  };
}

export interface TensorData {
  data: number[];
  shape: number[];
}

/** One op on given inputs; `gradient` (shaped like the output) is pushed back through it. */
export type OpCheckCase = { gradient: number[] } & (
  | { op: 'matmul'; inputs: [TensorData, TensorData]; transA?: boolean; transB?: boolean }
  | { op: 'tanh' | 'sin' | 'exp' | 'square'; inputs: [TensorData] }
  | { op: 'sum' | 'mean' | 'max'; inputs: [TensorData]; axes?: number[]; keepDims?: boolean }
  | { op: 'sobel'; inputs: [TensorData]; border: BorderMode; normalise: boolean }
  | { op: 'sineLinear'; inputs: [TensorData, TensorData, TensorData]; omega: number }
);

export interface OpCheckResult {
  op: string;
  output: number[];
  shape: number[];
  /** one per input, in order */
  grads: number[][];
  /** tensors alive after the check minus before it: 0 unless the engine leaks */
  leaked: number;
}

export interface PageHooks {
  state: PageState;
  runOpChecks(cases: OpCheckCase[]): Promise<OpCheckResult[]>;
}

declare global {
  interface Window {
    fusegradPage: PageHooks;
  }
}

function applyOp(c: OpCheckCase, xs: Tensor[]): Tensor {
  switch (c.op) {
    case 'matmul': return ops.matmul(xs[0], xs[1], { transA: c.transA, transB: c.transB });
    case 'tanh': case 'sin': case 'exp': case 'square': return ops[c.op](xs[0]);
    case 'sum': case 'mean': case 'max': return ops[c.op](xs[0], { axes: c.axes, keepDims: c.keepDims });
    case 'sobel': return ops.sobel(xs[0], { border: c.border, normalise: c.normalise });
    case 'sineLinear': return ops.sineLinear(xs[0], xs[1], xs[2], c.omega);
  }
}

async function runOpCheck(c: OpCheckCase): Promise<Omit<OpCheckResult, 'leaked'>> {
  const xs = c.inputs.map((t) => tensor(t.data, t.shape, { requiresGrad: true }));
  try {
    // Forward and backward in one scope: the tape needs the intermediates alive.
    const y = tidy(() => {
      const out = applyOp(c, xs);
      backward(out, tensor(c.gradient, out.shape));
      return out;
    });
    const output = Array.from(await y.read());
    const shape = [...y.shape];
    y.dispose();
    const grads: number[][] = [];
    for (const x of xs) grads.push(x.grad ? Array.from(await x.grad.read()) : new Array<number>(x.size).fill(0));
    return { op: c.op, output, shape, grads };
  } finally {
    for (const x of xs) x.dispose();
  }
}

export function installHooks(state: PageState): PageHooks {
  const hooks: PageHooks = {
    state,
    async runOpChecks(cases) {
      const results: OpCheckResult[] = [];
      for (const c of cases) {
        const before = liveTensorCount();
        const result = await runOpCheck(c);
        results.push({ ...result, leaked: liveTensorCount() - before });
      }
      return results;
    },
  };
  window.fusegradPage = hooks;
  return hooks;
}

/**
 * The Ataman & Akar training losses (spec models.md §3.2):
 *   qwLoss = 1 − Q(a, b, f)                of the images mapped from [−1, 1] to [0, 1];
 *   qeLoss = 1 − Q(E(a), E(b), E(f))^0.7   E = min–max normalised Sobel magnitude (kornia).
 * a = VIS, b = IR, f = fused, each [N, 1, H, W] with H, W multiples of 8. Q is Piella's weighted
 * quality index on non-overlapping 8×8 windows, one fused op: one kernel for Q
 * (shaders/qw_windows.wgsl, a workgroup that takes the windows in turn) and one for its gradient
 * in f (qw_windows_backward.wgsl, an invocation per window), with the window arithmetic shared
 * (qw_window.wgsl). Composed from reductions and element-wise ops instead, qwLoss of
 * [2, 1, 32, 32] took 91 dispatches forward and 89 back; it takes 9 and 6.
 * The authors zero NaN values of Q0; with variances summed from centred squares (never negative)
 * every denominator here is ≥ 1e−8, so Q0 is finite for finite inputs and no masking is needed.
 * A negative Q_edge has no real 0.7th power: qeLoss is NaN there, as torch.pow gives.
 * a and b are targets: Q has no gradient in them. Float64 reference: src/reference/qw.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { div, sub } from './binary.ts';
import { max, min, sum } from './reduce.ts';
import { sobel } from './sobel.ts';
import { addScalar, clamp, mulScalar, powScalar, sqrt, square } from './unary.ts';

const WINDOW = 8;
const EDGE_EPS = 1e-6;
const EDGE_POWER = 0.7;

const QUALITY: Kernel = { name: 'qw.windows', file: 'qw_windows.wgsl', inputs: 3, outputs: 2, uniform: true };
const QUALITY_BACKWARD: Kernel = { name: 'qw.windows_backward', file: 'qw_windows_backward.wgsl', inputs: 5, outputs: 1, uniform: true };

function checkImages(op: string, a: Tensor, b: Tensor, f: Tensor): void {
  for (const t of [b, f]) {
    if (t.rank !== a.rank || t.shape.some((d, i) => d !== a.shape[i])) {
      throw new Error(`${op}: shapes ${[a, b, f].map((x) => shapeString(x.shape)).join(' ')} differ`);
    }
  }
  const [N, C, H, W] = a.shape;
  if (a.rank !== 4 || C !== 1 || H % WINDOW || W % WINDOW || N * H * W === 0) {
    throw new Error(`${op}: inputs must be [N, 1, H, W] with H, W non-zero multiples of 8, got ${shapeString(a.shape)}`);
  }
}

/** Q of maps in [0, 1]: a scalar, recorded for f's gradient. */
function weightedQualityIndex(op: string, a: Tensor, b: Tensor, f: Tensor): Tensor {
  if (isGradEnabled() && (a.requiresGrad || b.requiresGrad)) {
    throw new Error(`${op}: VIS and IR are targets here and get no gradient; give them without requiresGrad`);
  }
  const [N, , H, W] = a.shape;
  const windows = N * (H / WINDOW) * (W / WINDOW);
  const params = new Params().u32(windows).u32(H).u32(W);
  const rt = runtime();
  const q = Tensor.empty([], 'qw.q');
  const totals = Tensor.empty([2], 'qw.totals'); // Σ weight·score and Σ weight, for the backward
  rt.dispatch(QUALITY, { inputs: [a, b, f], outputs: [q, totals], params, workgroups: [1, 1] });
  const recorded = record(q, 'qualityIndex', [f], (g) => {
    const df = Tensor.empty(f.shape, 'qw.df');
    rt.dispatch(QUALITY_BACKWARD, { inputs: [a, b, f, g, totals], outputs: [df], params, workgroups: rt.grid1d(windows, 64) });
    return [df];
  });
  if (!recorded.node) totals.dispose(); // no backward will read them
  return recorded;
}

const oneMinus = (x: Tensor): Tensor => addScalar(mulScalar(x, -1), 1);
const toUnitRange = (x: Tensor): Tensor => addScalar(mulScalar(x, 0.5), 0.5);

/** 1 − Qw of VIS, IR and the fused image, all [N, 1, H, W] in [−1, 1]: a scalar. */
export function qwLoss(vis: Tensor, ir: Tensor, fused: Tensor): Tensor {
  checkImages('qwLoss', vis, ir, fused);
  return oneMinus(weightedQualityIndex('qwLoss', toUnitRange(vis), toUnitRange(ir), toUnitRange(fused)));
}

/** kornia's sobel(): √(gx² + gy² + 1e−6) of the /8 kernels, replicate border, then min–max per image. */
function edgeMap(x: Tensor): Tensor {
  const gradients = sobel(x, { border: 'replicate', normalise: true }); // [N, 1, 2, H, W]
  const magnitude = sqrt(addScalar(sum(square(gradients), { axes: [2] }), EDGE_EPS)); // [N, 1, H, W]
  const lowest = min(magnitude, { axes: [2, 3], keepDims: true });
  const highest = max(magnitude, { axes: [2, 3], keepDims: true });
  return div(sub(magnitude, lowest), addScalar(sub(highest, lowest), EDGE_EPS));
}

/**
 * 1 − Q_edge^0.7: Q of the edge maps (already in [0, 1], so not mapped again). A scalar.
 * `floor`: raise Q_edge to at least this before the power (a training guard: a negative Q_edge,
 * which small crops from a random start do give, is NaN as the authors wrote it and would end
 * training; floored, the term is constant there and Qw alone pulls). Omitted: the authors' loss.
 */
export function qeLoss(vis: Tensor, ir: Tensor, fused: Tensor, floor?: number): Tensor {
  checkImages('qeLoss', vis, ir, fused);
  const quality = weightedQualityIndex('qeLoss', edgeMap(vis), edgeMap(ir), edgeMap(fused));
  const guarded = floor === undefined ? quality : clamp(quality, floor, 3.4e38); // no gradient below the floor
  return oneMinus(powScalar(guarded, EDGE_POWER));
}

/**
 * The Ataman & Akar training losses (spec models.md §3.2), composed from primitives so the
 * gradient with respect to the fused image comes from the ops' own backward rules:
 *   qwLoss = 1 − Q(a, b, f)                of the images mapped from [−1, 1] to [0, 1];
 *   qeLoss = 1 − Q(E(a), E(b), E(f))^0.7   E = min–max normalised Sobel magnitude (kornia).
 * a = VIS, b = IR, f = fused, each [N, 1, H, W] with H, W multiples of 8. Q is Piella's weighted
 * quality index on non-overlapping 8×8 windows: a window of [N, 1, H, W] is axes 3 and 5 of the
 * view [N, 1, H/8, 8, W/8, 8], so means and (co)variances are block reductions.
 * The authors zero NaN values of Q0; with variances summed from centred squares (never negative)
 * every denominator here is ≥ 1e−8, so Q0 is finite for finite inputs and no masking is needed.
 * A negative Q_edge has no real 0.7th power: qeLoss is NaN there, as torch.pow gives.
 * Float64 reference: src/reference/qw.ts.
 */
import { shapeString, type Tensor } from '../tensor/tensor.ts';
import { add, div, maximum, mul, sub } from './binary.ts';
import { max, min, sum } from './reduce.ts';
import { reshape } from './shape.ts';
import { sobel } from './sobel.ts';
import { addScalar, clamp, mulScalar, powScalar, sqrt, square } from './unary.ts';

const EPS = 1e-8;
const WINDOW = 8;
const EDGE_EPS = 1e-6;
const EDGE_POWER = 0.7;

/** Window sums, kept as size-1 axes so they broadcast back over the window. */
const windowSum = (x: Tensor): Tensor => sum(x, { axes: [3, 5], keepDims: true });

interface WindowMoments {
  /** [N, 1, H/8, 1, W/8, 1] */
  mean: Tensor;
  /** x − mean over [N, 1, H/8, 8, W/8, 8] */
  deviation: Tensor;
}

function moments(x: Tensor): WindowMoments {
  const [N, , H, W] = x.shape;
  const blocks = reshape(x, [N, 1, H / WINDOW, WINDOW, W / WINDOW, WINDOW]);
  const mean = mulScalar(windowSum(blocks), 1 / (WINDOW * WINDOW));
  return { mean, deviation: sub(blocks, mean) };
}

/** Σ(x − μx)(y − μy) / 63 per window (the unbiased estimate the authors use). */
const covariance = (x: WindowMoments, y: WindowMoments): Tensor =>
  mulScalar(windowSum(mul(x.deviation, y.deviation)), 1 / (WINDOW * WINDOW - 1));

/** Q0(x, f) = correlation · luminance · contrast, per window, with the authors' 1e−8 guards. */
function q0(x: WindowMoments, varX: Tensor, f: WindowMoments, varF: Tensor): Tensor {
  const spread = mul(sqrt(addScalar(varX, EPS)), sqrt(addScalar(varF, EPS))); // √(σx+ε)·√(σf+ε)
  const correlation = div(covariance(x, f), addScalar(spread, EPS));
  const luminance = div(mulScalar(mul(x.mean, f.mean), 2), addScalar(add(square(x.mean), square(f.mean)), EPS));
  const contrast = div(mulScalar(spread, 2), addScalar(add(varX, varF), EPS));
  return mul(mul(correlation, luminance), contrast);
}

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

/** Q of maps in [0, 1]: a scalar. Only f's path is recorded when a and b need no gradient. */
function weightedQualityIndex(a: Tensor, b: Tensor, f: Tensor): Tensor {
  const [ma, mb, mf] = [a, b, f].map(moments);
  const [varA, varB, varF] = [ma, mb, mf].map((m) => covariance(m, m));
  const lambda = div(varA, addScalar(add(varA, varB), EPS));
  const qa = q0(ma, varA, mf, varF);
  const qb = q0(mb, varB, mf, varF);
  const score = add(qb, mul(lambda, sub(qa, qb))); // λ·Q0(a, f) + (1 − λ)·Q0(b, f)
  const saliency = maximum(varA, varB);
  // Σ_w saliency·score / Σ_w saliency, over every window of the batch
  return div(sum(mul(saliency, score)), sum(saliency));
}

const oneMinus = (x: Tensor): Tensor => addScalar(mulScalar(x, -1), 1);
const toUnitRange = (x: Tensor): Tensor => addScalar(mulScalar(x, 0.5), 0.5);

/** 1 − Qw of VIS, IR and the fused image, all [N, 1, H, W] in [−1, 1]: a scalar. */
export function qwLoss(vis: Tensor, ir: Tensor, fused: Tensor): Tensor {
  checkImages('qwLoss', vis, ir, fused);
  return oneMinus(weightedQualityIndex(toUnitRange(vis), toUnitRange(ir), toUnitRange(fused)));
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
  const quality = weightedQualityIndex(edgeMap(vis), edgeMap(ir), edgeMap(fused));
  const guarded = floor === undefined ? quality : clamp(quality, floor, 3.4e38); // no gradient below the floor
  return oneMinus(powScalar(guarded, EDGE_POWER));
}

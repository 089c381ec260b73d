/**
 * SSIM loss as kornia ≤ 0.4 `SSIM(11, reduction='mean')` computes it (DIDFuse's training loss):
 * inputs a, b [N, C, H, W] with values in [0, 1] (max_val 1), output a scalar (shape []).
 *   K = k kᵀ, k the normalised 1-D Gaussian of `windowSize` (odd, default 11) taps, σ = 1.5;
 *   F(·) filters each (n, c) plane with K at "same" size, reading outside the image by 'reflect'
 *     (mirror excluding the edge, border.ts). PyTorch's reflect padding refuses planes smaller than
 *     the window radius + 1; here the mirror simply repeats periodically, so small planes work.
 *   μa = F(a), μb = F(b), σa² = F(a²) − μa², σb² = F(b²) − μb², σab = F(ab) − μaμb;
 *   S = (2μaμb + C1)(2σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)), C1 = 0.01², C2 = 0.03²;
 *   loss = mean over all N·C·H·W pixels of clamp(1 − S, 0, 1) / 2.
 * Backward: dL/dS = −1/(2·count) where 0 ≤ 1 − S ≤ 1 (clamp passes the gradient on the closed
 * interval, as PyTorch's clamp and unary.ts do), else 0. Writing S = P·Q/(R·T) with P, Q, R, T the
 * four factors above, the gradient flows to the five filtered maps:
 *   dμa = 2μb·S/P − 2μb·S/Q − 2μa·S/R + 2μa·S/T   (times dL/dS; dμb likewise with a ↔ b)
 *   dF(a²) = dF(b²) = −S/T,  dF(ab) = 2·S/Q
 * and back through F, which is linear, by its transpose: the same taps scattered instead of
 * gathered (at the mirrored border the two differ, so the transpose is written out).
 * F is applied as two 1-D passes (rows, then columns), equal to the 2-D K because the border rule
 * acts on each axis separately.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { borderIndex } from './border.ts';
import { expectInputs } from './tensor.ts';

export interface SsimParams { windowSize?: number; sigma?: number }

const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** kornia's `gaussian(size, sigma)`: exp(−x²/2σ²) at x = −(size−1)/2 … (size−1)/2, divided by its sum. */
export function gaussianKernel1d(size: number, sigma: number): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new Error(`gaussianKernel1d: size ${size} must be an odd positive integer`);
  if (!(sigma > 0)) throw new Error(`gaussianKernel1d: sigma ${sigma} must be positive`);
  const r = (size - 1) / 2;
  const k = Float64Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((s, v) => s + v, 0);
  return k.map((v) => v / sum);
}

/** Plane geometry: `planes` images of H×W, filtered by the 1-D kernel along one axis. */
interface Planes { planes: number; H: number; W: number }

/** visit(out, in, weight) for every tap of a 1-D reflect-bordered filter along `axis`. */
function forEachTap1d({ planes, H, W }: Planes, k: Float64Array, axis: 'rows' | 'columns', visit: (o: number, i: number, w: number) => void): void {
  const r = (k.length - 1) / 2;
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (p * H + y) * W + x;
        for (let t = 0; t < k.length; t++) {
          // 'rows' filters along each row (over x), 'columns' down each column (over y).
          const i = axis === 'rows'
            ? (p * H + y) * W + borderIndex(x + t - r, W, 'reflect')
            : (p * H + borderIndex(y + t - r, H, 'reflect')) * W + x;
          visit(o, i, k[t]);
        }
      }
    }
  }
}

function filterAxis(src: Float64Array, geo: Planes, k: Float64Array, axis: 'rows' | 'columns', transpose: boolean): Float64Array {
  const dst = new Float64Array(src.length);
  if (transpose) forEachTap1d(geo, k, axis, (o, i, w) => (dst[i] += w * src[o]));
  else forEachTap1d(geo, k, axis, (o, i, w) => (dst[o] += w * src[i]));
  return dst;
}

/** F = columns ∘ rows; its transpose runs the transposed passes in reverse order. */
const gaussianFilter = (x: Float64Array, geo: Planes, k: Float64Array): Float64Array =>
  filterAxis(filterAxis(x, geo, k, 'rows', false), geo, k, 'columns', false);
const gaussianFilterTranspose = (g: Float64Array, geo: Planes, k: Float64Array): Float64Array =>
  filterAxis(filterAxis(g, geo, k, 'columns', true), geo, k, 'rows', true);

function plan(inputs: CpuTensor[], { windowSize = 11, sigma = 1.5 }: SsimParams) {
  expectInputs('ssimLoss', inputs, 2);
  const [a, b] = inputs;
  if (a.shape.length !== 4) throw new Error(`ssimLoss: inputs must be [N, C, H, W], got ${fmt(a.shape)}`);
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`ssimLoss: shapes ${fmt(a.shape)} and ${fmt(b.shape)} differ`);
  const [N, C, H, W] = a.shape;
  if (N * C * H * W === 0) throw new Error(`ssimLoss: empty input ${fmt(a.shape)}`);
  const geo: Planes = { planes: N * C, H, W };
  const k = gaussianKernel1d(windowSize, sigma);
  const filter = (x: Float64Array): Float64Array => gaussianFilter(x, geo, k);
  const muA = filter(a.data);
  const muB = filter(b.data);
  const eAA = filter(a.data.map((v) => v * v));
  const eBB = filter(b.data.map((v) => v * v));
  const eAB = filter(a.data.map((v, i) => v * b.data[i]));
  return { a, b, geo, k, muA, muB, eAA, eBB, eAB };
}

/** The four SSIM factors at pixel i: S = P·Q / (R·T). */
function factors(m: ReturnType<typeof plan>, i: number): { P: number; Q: number; R: number; T: number } {
  const ma = m.muA[i];
  const mb = m.muB[i];
  return {
    P: 2 * ma * mb + C1,
    Q: 2 * (m.eAB[i] - ma * mb) + C2,
    R: ma * ma + mb * mb + C1,
    T: m.eAA[i] - ma * ma + (m.eBB[i] - mb * mb) + C2,
  };
}

export const ssimLoss: RefOp<SsimParams> = {
  name: 'ssimLoss',
  forward(inputs, params) {
    const m = plan(inputs, params);
    let sum = 0;
    for (let i = 0; i < m.a.data.length; i++) {
      const { P, Q, R, T } = factors(m, i);
      sum += Math.min(Math.max(1 - (P * Q) / (R * T), 0), 1) / 2;
    }
    return { shape: [], data: Float64Array.of(sum / m.a.data.length) };
  },
  backward(inputs, params, g) {
    const m = plan(inputs, params);
    const n = m.a.data.length;
    const dMuA = new Float64Array(n);
    const dMuB = new Float64Array(n);
    const dSquares = new Float64Array(n); // dF(a²) = dF(b²)
    const dEAB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const { P, Q, R, T } = factors(m, i);
      const S = (P * Q) / (R * T);
      if (1 - S < 0 || 1 - S > 1) continue; // clamped: no gradient
      const dS = -g.data[0] / (2 * n);
      const [ma, mb] = [m.muA[i], m.muB[i]];
      // Through P = 2μaμb + C1, Q = 2(E[ab] − μaμb) + C2, R = μa² + μb² + C1, T = σa² + σb² + C2.
      const viaP = (dS * S) / P;
      const viaQ = (dS * S) / Q;
      const viaR = (dS * S) / R;
      const viaT = (dS * S) / T;
      dMuA[i] = 2 * mb * viaP - 2 * mb * viaQ - 2 * ma * viaR + 2 * ma * viaT;
      dMuB[i] = 2 * ma * viaP - 2 * ma * viaQ - 2 * mb * viaR + 2 * mb * viaT;
      dSquares[i] = -viaT;
      dEAB[i] = 2 * viaQ;
    }
    const back = (d: Float64Array): Float64Array => gaussianFilterTranspose(d, m.geo, m.k);
    const [gMuA, gMuB, gSquares, gEAB] = [back(dMuA), back(dMuB), back(dSquares), back(dEAB)];
    const a = m.a.data;
    const b = m.b.data;
    // F(a) -> 1, F(a²) -> 2a, F(ab) -> b (and symmetrically for b).
    const ga = a.map((v, i) => gMuA[i] + 2 * v * gSquares[i] + b[i] * gEAB[i]);
    const gb = b.map((v, i) => gMuB[i] + 2 * v * gSquares[i] + a[i] * gEAB[i]);
    return [
      { shape: [...m.a.shape], data: ga },
      { shape: [...m.b.shape], data: gb },
    ];
  },
};

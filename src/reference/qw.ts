/**
 * The Ataman & Akar training losses (pyFusionSR `loss/fusionQualityLoss.py`, spec models.md §3.2),
 * float64. Inputs a (VIS), b (IR), f (fused), each [N, 1, H, W] with H, W multiples of 8.
 *
 * Q, Piella's weighted quality index on non-overlapping 8×8 windows, of maps in [0, 1]:
 *   μ the window mean; σx, σxf (co)variances with denominator 63 (unbiased, 64 pixels);
 *   sx = √(σx + ε), sf = √(σf + ε), ε = 1e−8;
 *   Q0(x, f) = σxf/(sx·sf + ε) · 2μxμf/(μx² + μf² + ε) · 2sx·sf/(σx + σf + ε), NaN → 0;
 *   λ = σa/(σa + σb + ε); score = λ·Q0(a, f) + (1 − λ)·Q0(b, f);
 *   Q = Σ_windows max(σa, σb)·score / Σ_windows max(σa, σb)   (over every window of the batch).
 * qwLoss = 1 − Q of the inputs mapped from [−1, 1] to [0, 1].
 * qeLoss = 1 − Q(E(a), E(b), E(f))^0.7 with E(x) the kornia Sobel magnitude √(gx² + gy² + 1e−6)
 *   (kernels /8, replicate border) of x in [−1, 1], min–max normalised per image:
 *   (m − min)/(max − min + 1e−6). The edge maps are in [0, 1] already, so Q takes them as they are.
 *
 * Backward: the gradient with respect to f only. a and b are targets (the network never changes
 * them), so their gradients are returned as zeros, not computed. Through min–max the gradient
 * goes to the first minimum and first maximum, as the GPU reductions route it.
 */
import { sobel } from './sobel.ts';
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs, zeros } from './tensor.ts';

const EPS = 1e-8;
const WINDOW = 8;
const EDGE_EPS = 1e-6;
const EDGE_POWER = 0.7;

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Checks three same-shaped [N, 1, H, W] maps and lists each 8×8 window's 64 flat pixel indices. */
function windowPixels(name: string, inputs: CpuTensor[]): Int32Array[] {
  expectInputs(name, inputs, 3);
  const shape = inputs[0].shape;
  for (const t of inputs) {
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${name}: shapes ${inputs.map((x) => fmt(x.shape)).join(' ')} differ`);
  }
  const [N, C, H, W] = shape;
  if (shape.length !== 4 || C !== 1 || H % WINDOW || W % WINDOW || N * H * W === 0) {
    throw new Error(`${name}: inputs must be [N, 1, H, W] with H, W non-zero multiples of 8, got ${fmt(shape)}`);
  }
  const windows: Int32Array[] = [];
  for (let n = 0; n < N; n++) {
    for (let by = 0; by < H; by += WINDOW) {
      for (let bx = 0; bx < W; bx += WINDOW) {
        const pixels = new Int32Array(WINDOW * WINDOW);
        for (let i = 0; i < pixels.length; i++) pixels[i] = (n * H + by + Math.floor(i / WINDOW)) * W + bx + (i % WINDOW);
        windows.push(pixels);
      }
    }
  }
  return windows;
}

const windowMean = (x: Float64Array, px: Int32Array): number => px.reduce((s, i) => s + x[i], 0) / px.length;

/** Σ(x − μx)(y − μy) / 63 over the window. */
function windowCovariance(x: Float64Array, mx: number, y: Float64Array, my: number, px: Int32Array): number {
  let s = 0;
  for (const i of px) s += (x[i] - mx) * (y[i] - my);
  return s / (px.length - 1);
}

/** Q0(x, f) and its partial derivatives in μf, σf and σxf (all zero where Q0 is NaN). */
function q0(mx: number, vx: number, mf: number, vf: number, cxf: number) {
  const sx = Math.sqrt(vx + EPS);
  const sf = Math.sqrt(vf + EPS);
  const corrDen = sx * sf + EPS;
  const corr = cxf / corrDen;
  const lumDen = mx * mx + mf * mf + EPS;
  const lum = (2 * mx * mf) / lumDen;
  const conDen = vx + vf + EPS;
  const con = (2 * sx * sf) / conDen;
  const value = corr * lum * con;
  if (Number.isNaN(value)) return { value: 0, dMeanF: 0, dVarF: 0, dCov: 0 };
  const dSf = 1 / (2 * sf); // d sf / d σf
  const dCorrVarF = (-cxf * sx * dSf) / (corrDen * corrDen);
  const dLumMeanF = (2 * mx - 2 * lum * mf) / lumDen;
  const dConVarF = (2 * sx * dSf - con) / conDen;
  return {
    value,
    dMeanF: corr * con * dLumMeanF,
    dVarF: lum * (dCorrVarF * con + corr * dConVarF),
    dCov: (lum * con) / corrDen,
  };
}

/** Q of maps already in [0, 1], and dQ/df (same shape as f). */
export function weightedQualityIndex(name: string, a: CpuTensor, b: CpuTensor, f: CpuTensor): { value: number; gradF: Float64Array } {
  const windows = windowPixels(name, [a, b, f]);
  const gradF = new Float64Array(f.data.length);
  const weights = windows.map(() => 0);
  const parts = windows.map((px, k) => {
    const [ma, mb, mf] = [a, b, f].map((t) => windowMean(t.data, px));
    const va = windowCovariance(a.data, ma, a.data, ma, px);
    const vb = windowCovariance(b.data, mb, b.data, mb, px);
    const vf = windowCovariance(f.data, mf, f.data, mf, px);
    const qa = q0(ma, va, mf, vf, windowCovariance(a.data, ma, f.data, mf, px));
    const qb = q0(mb, vb, mf, vf, windowCovariance(b.data, mb, f.data, mf, px));
    weights[k] = Math.max(va, vb);
    return { ma, mb, mf, lambda: va / (va + vb + EPS), qa, qb };
  });
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  let value = 0;
  windows.forEach((px, k) => {
    const { ma, mb, mf, lambda, qa, qb } = parts[k];
    const weight = weights[k] / totalWeight;
    value += weight * (lambda * qa.value + (1 - lambda) * qb.value);
    // dQ/dμf, dQ/dσf, dQ/dσaf, dQ/dσbf of this window, then to pixels:
    // dμf/df_i = 1/64, dσf/df_i = 2(f_i − μf)/63, dσxf/df_i = (x_i − μx)/63 (the μf terms sum to 0).
    const dMeanF = weight * (lambda * qa.dMeanF + (1 - lambda) * qb.dMeanF);
    const dVarF = weight * (lambda * qa.dVarF + (1 - lambda) * qb.dVarF);
    const dCovA = weight * lambda * qa.dCov;
    const dCovB = weight * (1 - lambda) * qb.dCov;
    const n = px.length;
    for (const i of px) {
      gradF[i] = dMeanF / n + (dVarF * 2 * (f.data[i] - mf) + dCovA * (a.data[i] - ma) + dCovB * (b.data[i] - mb)) / (n - 1);
    }
  });
  return { value, gradF };
}

const toUnit = (x: CpuTensor): CpuTensor => ({ shape: [...x.shape], data: x.data.map((v) => (v + 1) / 2) });

/** Zero gradients for the targets a and b, then f's. */
const targetsAndF = (a: CpuTensor, b: CpuTensor, gradF: Float64Array): CpuTensor[] =>
  [zeros(a.shape), zeros(b.shape), { shape: [...a.shape], data: gradF }];

/** 1 − Q of [a, b, f] given in [−1, 1]: a scalar (shape []). */
export const qwLoss: RefOp = {
  name: 'qwLoss',
  forward(inputs) {
    const [a, b, f] = inputs.map(toUnit);
    return { shape: [], data: Float64Array.of(1 - weightedQualityIndex('qwLoss', a, b, f).value) };
  },
  backward(inputs, _params, g) {
    const [a, b, f] = inputs.map(toUnit);
    const { gradF } = weightedQualityIndex('qwLoss', a, b, f);
    return targetsAndF(a, b, gradF.map((d) => (-g.data[0] * d) / 2)); // ½ from the map to [0, 1]
  },
};

/** Per image: the Sobel magnitude, its min–max normalisation, and what backward needs. */
function edgeMap(x: CpuTensor) {
  const [N, , H, W] = x.shape;
  const gradients = sobel.forward([x], { border: 'replicate', normalise: true }); // [N, 1, 2, H, W]
  const plane = H * W;
  const magnitude = new Float64Array(x.data.length);
  const edges = new Float64Array(x.data.length);
  const ranges: { argMin: number; argMax: number; range: number }[] = [];
  for (let n = 0; n < N; n++) {
    let [argMin, argMax] = [n * plane, n * plane];
    for (let p = 0; p < plane; p++) {
      const i = n * plane + p;
      const gx = gradients.data[2 * n * plane + p];
      const gy = gradients.data[(2 * n + 1) * plane + p];
      magnitude[i] = Math.sqrt(gx * gx + gy * gy + EDGE_EPS);
      if (magnitude[i] < magnitude[argMin]) argMin = i; // strict: the first extreme wins
      if (magnitude[i] > magnitude[argMax]) argMax = i;
    }
    const range = magnitude[argMax] - magnitude[argMin] + EDGE_EPS;
    for (let p = 0; p < plane; p++) edges[n * plane + p] = (magnitude[n * plane + p] - magnitude[argMin]) / range;
    ranges.push({ argMin, argMax, range });
  }
  return { gradients, magnitude, edges: { shape: [...x.shape], data: edges }, ranges, plane };
}

/** dL/dx from dL/d(edge map), back through min–max, the magnitude and the Sobel taps. */
function edgeMapBackward(x: CpuTensor, map: ReturnType<typeof edgeMap>, gradEdges: Float64Array): Float64Array {
  const { gradients, magnitude, edges, ranges, plane } = map;
  const gradMagnitude = new Float64Array(x.data.length);
  ranges.forEach(({ argMin, argMax, range }, n) => {
    // e_i = (m_i − min)/R, R = max − min + ε: ∂e_i/∂m_i = 1/R, ∂e_i/∂min = (e_i − 1)/R, ∂e_i/∂max = −e_i/R.
    let viaMin = 0;
    let viaMax = 0;
    for (let i = n * plane; i < (n + 1) * plane; i++) {
      gradMagnitude[i] += gradEdges[i] / range;
      viaMin += (gradEdges[i] * (edges.data[i] - 1)) / range;
      viaMax -= (gradEdges[i] * edges.data[i]) / range;
    }
    gradMagnitude[argMin] += viaMin;
    gradMagnitude[argMax] += viaMax;
  });
  const gradGradients = new Float64Array(gradients.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const [n, p] = [Math.floor(i / plane), i % plane];
    const [ix, iy] = [2 * n * plane + p, (2 * n + 1) * plane + p];
    gradGradients[ix] = (gradMagnitude[i] * gradients.data[ix]) / magnitude[i];
    gradGradients[iy] = (gradMagnitude[i] * gradients.data[iy]) / magnitude[i];
  }
  const back = sobel.backward([x], { border: 'replicate', normalise: true }, { shape: gradients.shape, data: gradGradients });
  return back[0].data;
}

/** 1 − Q_edge^0.7 of [a, b, f] given in [−1, 1]: a scalar (shape []). */
export const qeLoss: RefOp = {
  name: 'qeLoss',
  forward(inputs) {
    windowPixels('qeLoss', inputs); // validates the shapes before the Sobel pass
    const [a, b, f] = inputs.map((x) => edgeMap(x).edges);
    return { shape: [], data: Float64Array.of(1 - weightedQualityIndex('qeLoss', a, b, f).value ** EDGE_POWER) };
  },
  backward(inputs, _params, g) {
    windowPixels('qeLoss', inputs);
    const [a, b] = inputs.map((x) => edgeMap(x).edges);
    const fMap = edgeMap(inputs[2]);
    const { value, gradF } = weightedQualityIndex('qeLoss', a, b, fMap.edges);
    const dLossDq = -g.data[0] * EDGE_POWER * value ** (EDGE_POWER - 1);
    return targetsAndF(a, b, edgeMapBackward(inputs[2], fMap, gradF.map((d) => dLossDq * d)));
  },
};

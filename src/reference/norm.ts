/**
 * Normalisation layers on x [N, C, H, W], float64. Each one standardises groups of m values,
 *   x̂ = u / d,  u = x − μ,  μ = the group mean,
 * and then applies an affine map (γ·x̂ + β, or none). Groups and denominators:
 *   batchNorm2d     per channel over (N, H, W)   d = √(Σu²/m + eps)       (biased variance, PyTorch)
 *   instanceNorm2d  per (n, c) over (H, W)       d = √(Σu²/m + eps)       no affine
 *   adain           per (n, c) over (H, W)       d = √(Σu²/m + eps)       scale, bias [N, C] per (n, c)
 *   layerNormLD     per sample over (C, H, W)    d = s + eps, s = √(Σu²/(m − 1))   γ, β [C]
 * layerNormLD is LDFusion's (MUNIT's) custom LayerNorm: unbiased std, and eps added to the std.
 *
 * Backward through a group, with g_j = dL/dx̂_j:
 *   ∂x̂_i/∂x_j = (δ_ij − 1/m)/d − u_i·(∂d/∂x_j)/d²
 *   ∂d/∂x_j = u_j/(m·d) (biased variance) or u_j/((m − 1)·s) (unbiased std), using Σu = 0, so
 *   dL/dx_j = (g_j − mean(g) − x̂_j · k · Σ_i g_i x̂_i) / d,  k = 1/m  or  k = d/((m − 1)·s).
 * With s = 0 (a constant group) u = 0 and that last term vanishes; k is set to 0 there rather
 * than dividing by zero.
 * Like PyTorch, groups of one value are an error (it raises for batch and instance statistics and
 * LDFusion's std returns NaN); batchNorm2dEval uses running statistics and has no such limit.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs } from './tensor.ts';

export interface NormParams { eps: number }

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function nchw(name: string, x: CpuTensor): [number, number, number, number] {
  if (x.shape.length !== 4) throw new Error(`${name}: x must be [N, C, H, W], got ${fmt(x.shape)}`);
  const [N, C, H, W] = x.shape;
  return [N, C, H, W];
}

function expectShape(name: string, what: string, t: CpuTensor, shape: readonly number[]): void {
  if (t.shape.join(',') !== shape.join(',')) throw new Error(`${name}: ${what} ${fmt(t.shape)} should be ${fmt(shape)}`);
}

/** Which elements share statistics: a channel over (N, H, W), a plane (n, c), or a sample n. */
type StatsOver = 'channel' | 'plane' | 'sample';

/** Flat indices of each statistics group of x [N, C, H, W]. */
function statisticsGroups(name: string, x: CpuTensor, over: StatsOver): Int32Array[] {
  const [N, C, H, W] = nchw(name, x);
  const HW = H * W;
  const count = over === 'channel' ? C : over === 'plane' ? N * C : N;
  const groups = Array.from({ length: count }, () => [] as number[]);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const group = over === 'channel' ? c : over === 'plane' ? n * C + c : n;
      for (let p = 0; p < HW; p++) groups[group].push((n * C + c) * HW + p);
    }
  }
  const m = groups[0]?.length ?? 0;
  if (m < 2) {
    const span = over === 'channel' ? 'N·H·W' : over === 'plane' ? 'H·W' : 'C·H·W';
    throw new Error(`${name}: needs more than one value per statistics group (${span} = ${m} for ${fmt(x.shape)})`);
  }
  return groups.map((g) => Int32Array.from(g));
}

interface Standardised {
  xhat: Float64Array;
  /** per group: 1/d and the k of the header comment */
  invDenominator: Float64Array;
  k: Float64Array;
}

function standardise(x: Float64Array, groups: Int32Array[], eps: number, unbiasedStd: boolean): Standardised {
  const xhat = new Float64Array(x.length);
  const invDenominator = new Float64Array(groups.length);
  const k = new Float64Array(groups.length);
  groups.forEach((group, gi) => {
    const m = group.length;
    let mean = 0;
    for (const i of group) mean += x[i];
    mean /= m;
    let squares = 0;
    for (const i of group) squares += (x[i] - mean) ** 2;
    let d: number;
    if (unbiasedStd) {
      const s = Math.sqrt(squares / (m - 1));
      d = s + eps;
      k[gi] = s > 0 ? d / ((m - 1) * s) : 0;
    } else {
      d = Math.sqrt(squares / m + eps);
      k[gi] = 1 / m;
    }
    invDenominator[gi] = 1 / d;
    for (const i of group) xhat[i] = (x[i] - mean) / d;
  });
  return { xhat, invDenominator, k };
}

/** dL/dx from dL/dx̂ (see the header comment). */
function standardiseBackward({ xhat, invDenominator, k }: Standardised, groups: Int32Array[], gradXhat: Float64Array): Float64Array {
  const gx = new Float64Array(xhat.length);
  groups.forEach((group, gi) => {
    let sumG = 0;
    let sumGXhat = 0;
    for (const i of group) {
      sumG += gradXhat[i];
      sumGXhat += gradXhat[i] * xhat[i];
    }
    const meanG = sumG / group.length;
    for (const i of group) gx[i] = (gradXhat[i] - meanG - xhat[i] * k[gi] * sumGXhat) * invDenominator[gi];
  });
  return gx;
}

/** Where the affine parameters are indexed: per channel c ([C]) or per plane (n, c) ([N, C]). */
type AffineOver = 'none' | 'channel' | 'plane';

interface NormSpec { statsOver: StatsOver; unbiasedStd: boolean; affine: AffineOver }

/** Check the inputs; return the statistics groups and, for each element, its affine index. */
function plan(name: string, inputs: CpuTensor[], { statsOver, affine }: NormSpec) {
  expectInputs(name, inputs, affine === 'none' ? 1 : 3);
  const [x, scale, shift] = inputs;
  const [N, C, H, W] = nchw(name, x);
  if (affine !== 'none') {
    const shape = affine === 'channel' ? [C] : [N, C];
    expectShape(name, 'scale', scale, shape);
    expectShape(name, 'shift', shift, shape);
  }
  const groups = statisticsGroups(name, x, statsOver);
  const plane = (i: number): number => Math.floor(i / (H * W)); // n·C + c
  const affineIndex = affine === 'channel' ? (i: number) => plane(i) % C : plane;
  return { x, scale, shift, groups, affineIndex };
}

function normOp(name: string, spec: NormSpec): RefOp<NormParams> {
  return {
    name,
    forward(inputs, { eps }) {
      const { x, scale, shift, groups, affineIndex } = plan(name, inputs, spec);
      const { xhat } = standardise(x.data, groups, eps, spec.unbiasedStd);
      if (spec.affine === 'none') return { shape: [...x.shape], data: xhat };
      const data = xhat.map((v, i) => scale.data[affineIndex(i)] * v + shift.data[affineIndex(i)]);
      return { shape: [...x.shape], data };
    },
    backward(inputs, { eps }, g) {
      const { x, scale, shift, groups, affineIndex } = plan(name, inputs, spec);
      const std = standardise(x.data, groups, eps, spec.unbiasedStd);
      if (spec.affine === 'none') return [{ shape: [...x.shape], data: standardiseBackward(std, groups, g.data) }];
      const gScale = new Float64Array(scale.data.length);
      const gShift = new Float64Array(shift.data.length);
      const gXhat = new Float64Array(x.data.length);
      for (let i = 0; i < x.data.length; i++) {
        const a = affineIndex(i);
        gXhat[i] = g.data[i] * scale.data[a];
        gScale[a] += g.data[i] * std.xhat[i];
        gShift[a] += g.data[i];
      }
      return [
        { shape: [...x.shape], data: standardiseBackward(std, groups, gXhat) },
        { shape: [...scale.shape], data: gScale },
        { shape: [...shift.shape], data: gShift },
      ];
    },
  };
}

/** Training-mode BatchNorm2d: inputs [x, gamma [C], beta [C]], batch statistics. */
export const batchNorm2d = normOp('batchNorm2d', { statsOver: 'channel', unbiasedStd: false, affine: 'channel' });
/** InstanceNorm2d without affine or running statistics (PyTorch's default): inputs [x]. */
export const instanceNorm2d = normOp('instanceNorm2d', { statsOver: 'plane', unbiasedStd: false, affine: 'none' });
/** AdaIN: inputs [x, scale [N, C], bias [N, C]]; y = scale[n, c]·IN(x) + bias[n, c]. */
export const adain = normOp('adain', { statsOver: 'plane', unbiasedStd: false, affine: 'plane' });
/** LDFusion's LayerNorm: inputs [x, gamma [C], beta [C]]; per-sample unbiased std, eps on the std. */
export const layerNormLD = normOp('layerNormLD', { statsOver: 'sample', unbiasedStd: true, affine: 'channel' });

/**
 * Eval-mode BatchNorm2d: inputs [x, gamma, beta, runningMean, runningVar] (all but x [C]);
 * y = gamma·(x − runningMean)/√(runningVar + eps) + beta. The running statistics are buffers,
 * not parameters, so their gradients are returned as zeros (nothing should train them).
 */
export const batchNorm2dEval: RefOp<NormParams> = {
  name: 'batchNorm2dEval',
  forward(inputs, { eps }) {
    const { x, xhat, gamma, beta, channelOf } = evalPlan(inputs, eps);
    return { shape: [...x.shape], data: xhat.map((v, i) => gamma.data[channelOf(i)] * v + beta.data[channelOf(i)]) };
  },
  backward(inputs, { eps }, g) {
    const { x, xhat, gamma, invStd, channelOf } = evalPlan(inputs, eps);
    const C = gamma.data.length;
    const gx = new Float64Array(x.data.length);
    const gGamma = new Float64Array(C);
    const gBeta = new Float64Array(C);
    for (let i = 0; i < x.data.length; i++) {
      const c = channelOf(i);
      gx[i] = g.data[i] * gamma.data[c] * invStd[c];
      gGamma[c] += g.data[i] * xhat[i];
      gBeta[c] += g.data[i];
    }
    return [
      { shape: [...x.shape], data: gx },
      { shape: [C], data: gGamma },
      { shape: [C], data: gBeta },
      { shape: [C], data: new Float64Array(C) },
      { shape: [C], data: new Float64Array(C) },
    ];
  },
};

function evalPlan(inputs: CpuTensor[], eps: number) {
  const name = 'batchNorm2dEval';
  expectInputs(name, inputs, 5);
  const [x, gamma, beta, mean, variance] = inputs;
  const [, C, H, W] = nchw(name, x);
  const what = ['gamma', 'beta', 'runningMean', 'runningVar'];
  [gamma, beta, mean, variance].forEach((t, i) => expectShape(name, what[i], t, [C]));
  const channelOf = (i: number): number => Math.floor(i / (H * W)) % C;
  const invStd = variance.data.map((v) => 1 / Math.sqrt(v + eps));
  const xhat = x.data.map((v, i) => (v - mean.data[channelOf(i)]) * invStd[channelOf(i)]);
  return { x, xhat, gamma, beta, invStd, channelOf };
}

/**
 * PyTorch's running-statistics update in training mode: new = (1 − momentum)·old + momentum·batch,
 * where the batch variance is the unbiased one (divide by N·H·W − 1), unlike the biased variance
 * that normalises the batch itself.
 */
export function batchNormRunningUpdate(
  x: CpuTensor,
  runningMean: CpuTensor,
  runningVar: CpuTensor,
  momentum: number,
): { mean: CpuTensor; var: CpuTensor } {
  const name = 'batchNormRunningUpdate';
  const [, C] = nchw(name, x);
  expectShape(name, 'runningMean', runningMean, [C]);
  expectShape(name, 'runningVar', runningVar, [C]);
  const groups = statisticsGroups(name, x, 'channel');
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  groups.forEach((group, c) => {
    let mu = 0;
    for (const i of group) mu += x.data[i];
    mu /= group.length;
    let squares = 0;
    for (const i of group) squares += (x.data[i] - mu) ** 2;
    mean[c] = (1 - momentum) * runningMean.data[c] + momentum * mu;
    variance[c] = (1 - momentum) * runningVar.data[c] + momentum * (squares / (group.length - 1));
  });
  return { mean: { shape: [C], data: mean }, var: { shape: [C], data: variance } };
}

/**
 * Eval-mode BatchNorm folded into the convolution before it (src/ops/fold_norm.ts), as two ops
 * for the two outputs, with s = γ/√(σ² + ε) per output channel o:
 *   foldBatchNormWeight: [W [O, …], γ, σ²] → W' = W·s
 *   foldBatchNormBias:   [b, γ, β, μ, σ²] → b' = (b − μ)·s + β
 * ∂s/∂γ = 1/√(σ² + ε) and ∂s/∂σ² = −s / (2(σ² + ε)).
 */
export const foldBatchNormWeight: RefOp<{ eps: number }> = {
  name: 'foldBatchNormWeight',
  forward(inputs, { eps }) {
    const { w, per, scale } = weightFold(inputs, eps);
    return { shape: [...w.shape], data: w.data.map((v, i) => v * scale[Math.floor(i / per)]) };
  },
  backward(inputs, { eps }, g) {
    const { w, gamma, variance, per, scale } = weightFold(inputs, eps);
    const O = gamma.data.length;
    const gw = w.data.map((_, i) => g.data[i] * scale[Math.floor(i / per)]);
    const gGamma = new Float64Array(O);
    const gVar = new Float64Array(O);
    w.data.forEach((v, i) => {
      const o = Math.floor(i / per);
      gGamma[o] += g.data[i] * v / Math.sqrt(variance.data[o] + eps);
      gVar[o] -= g.data[i] * v * scale[o] / (2 * (variance.data[o] + eps));
    });
    return [{ shape: [...w.shape], data: gw }, { shape: [O], data: gGamma }, { shape: [O], data: gVar }];
  },
};

export const foldBatchNormBias: RefOp<{ eps: number }> = {
  name: 'foldBatchNormBias',
  forward(inputs, { eps }) {
    const { b, beta, mean, scale } = biasFold(inputs, eps);
    return { shape: [...b.shape], data: b.data.map((v, o) => (v - mean.data[o]) * scale[o] + beta.data[o]) };
  },
  backward(inputs, { eps }, g) {
    const { b, mean, variance, scale } = biasFold(inputs, eps);
    const O = b.data.length;
    const each = (f: (o: number) => number): CpuTensor => ({ shape: [O], data: Float64Array.from({ length: O }, (_, o) => g.data[o] * f(o)) });
    return [
      each((o) => scale[o]),
      each((o) => (b.data[o] - mean.data[o]) / Math.sqrt(variance.data[o] + eps)),
      each(() => 1),
      each((o) => -scale[o]),
      each((o) => -(b.data[o] - mean.data[o]) * scale[o] / (2 * (variance.data[o] + eps))),
    ];
  },
};

const foldScale = (gamma: CpuTensor, variance: CpuTensor, eps: number): Float64Array =>
  gamma.data.map((v, o) => v / Math.sqrt(variance.data[o] + eps));

function weightFold(inputs: CpuTensor[], eps: number) {
  expectInputs('foldBatchNormWeight', inputs, 3);
  const [w, gamma, variance] = inputs;
  const O = w.shape[0];
  expectShape('foldBatchNormWeight', 'gamma', gamma, [O]);
  expectShape('foldBatchNormWeight', 'runningVar', variance, [O]);
  return { w, gamma, variance, per: w.data.length / O, scale: foldScale(gamma, variance, eps) };
}

function biasFold(inputs: CpuTensor[], eps: number) {
  expectInputs('foldBatchNormBias', inputs, 5);
  const [b, gamma, beta, mean, variance] = inputs;
  const O = b.data.length;
  const what = ['gamma', 'beta', 'runningMean', 'runningVar'];
  [gamma, beta, mean, variance].forEach((t, i) => expectShape('foldBatchNormBias', what[i], t, [O]));
  return { b, beta, mean, variance, scale: foldScale(gamma, variance, eps) };
}

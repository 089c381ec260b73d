/**
 * Normalisations over NCHW tensors, composed from primitives (mean, sub, mul, sqrt, div), so
 * their gradients come from the primitives' rules (STYLE.md: composites are differentiated
 * through primitives). Float64 references with hand-written backward: src/reference/norm.ts.
 *   batchNorm2d     per channel over N, H, W (train: batch statistics; eval: running ones)
 *   instanceNorm2d  per (sample, channel) over H, W, no affine (PyTorch InstanceNorm2d default)
 *   adain           instanceNorm2d, then a per-(sample, channel) scale and bias (MUNIT/LDFusion)
 *   layerNormLD     LDFusion's own LayerNorm: per sample over C, H, W with the *unbiased* std,
 *                   (x − mean)/(std + eps), then a per-channel affine
 */
import { noGrad, runtime } from '../tensor/context.ts';
import { tidy } from '../tensor/scope.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { add, div, mul, sub } from './binary.ts';
import { mean, sum } from './reduce.ts';
import { reshape } from './shape.ts';
import { addScalar, mulScalar, sqrt, square } from './unary.ts';

function expectNchw(op: string, x: Tensor): void {
  if (x.rank !== 4) throw new Error(`${op} needs x [N, C, H, W], got ${shapeString(x.shape)}`);
}

function expectChannels(op: string, x: Tensor, ...perChannel: Tensor[]): void {
  for (const t of perChannel) {
    if (t.rank !== 1 || t.shape[0] !== x.shape[1]) {
      throw new Error(`${op}: ${shapeString(t.shape)} does not match the ${x.shape[1]} channels of x ${shapeString(x.shape)}`);
    }
  }
}

/** [C] → [1, C, 1, 1], to broadcast over N, H, W */
const perChannel = (t: Tensor): Tensor => reshape(t, [1, t.shape[0], 1, 1]);

/** (x − mean)/√(biased variance + eps) over `axes`, with the statistics it used. */
function standardise(x: Tensor, axes: number[], eps: number): { y: Tensor; mean: Tensor; variance: Tensor } {
  const mu = mean(x, { axes, keepDims: true });
  const centred = sub(x, mu);
  const variance = mean(square(centred), { axes, keepDims: true });
  return { y: div(centred, sqrt(addScalar(variance, eps))), mean: mu, variance };
}

export interface BatchNormState {
  /** [C]; updated in place by each training-mode call */
  runningMean: Tensor;
  runningVar: Tensor;
  /** PyTorch's: new = (1 − momentum)·old + momentum·batch statistic */
  momentum: number;
  eps: number;
}

/**
 * BatchNorm2d. Training mode normalises with the batch's biased variance and moves the
 * running statistics toward the batch's mean and *unbiased* variance (as PyTorch does);
 * eval mode uses the running statistics.
 */
export function batchNorm2d(x: Tensor, gamma: Tensor, beta: Tensor, state: BatchNormState, training: boolean): Tensor {
  expectNchw('batchNorm2d', x);
  expectChannels('batchNorm2d', x, gamma, beta, state.runningMean, state.runningVar);
  if (!training) {
    const scale = div(gamma, sqrt(addScalar(state.runningVar, state.eps)));
    const shift = sub(beta, mul(state.runningMean, scale));
    return add(mul(x, perChannel(scale)), perChannel(shift));
  }
  const [N, C, H, W] = x.shape;
  const count = N * H * W;
  if (count < 2) throw new Error(`batchNorm2d: training needs more than one value per channel, got x ${shapeString(x.shape)}`);
  const { y, mean: mu, variance } = standardise(x, [0, 2, 3], state.eps);
  noGrad(() => tidy(() => {
    const m = state.momentum;
    const unbiased = mulScalar(reshape(variance, [C]), count / (count - 1));
    const nextMean = add(mulScalar(state.runningMean, 1 - m), mulScalar(reshape(mu, [C]), m));
    const nextVar = add(mulScalar(state.runningVar, 1 - m), mulScalar(unbiased, m));
    // In place, not by replacing the tensors: a recorded step (Runtime.capture) reads and
    // writes the same buffers at every replay, so state carried to the next step must stay put.
    const rt = runtime();
    rt.copy(nextMean.buffer, 0, state.runningMean.buffer, 0, nextMean.bytes);
    rt.copy(nextVar.buffer, 0, state.runningVar.buffer, 0, nextVar.bytes);
  }));
  return add(mul(y, perChannel(gamma)), perChannel(beta));
}

/** InstanceNorm2d without affine: per (sample, channel) over H, W, biased variance. */
export function instanceNorm2d(x: Tensor, eps = 1e-5): Tensor {
  expectNchw('instanceNorm2d', x);
  return standardise(x, [2, 3], eps).y;
}

/** AdaIN: scale[n, c]·instanceNorm2d(x)[n, c] + bias[n, c]; scale and bias [N, C]. */
export function adain(x: Tensor, scale: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  expectNchw('adain', x);
  const [N, C] = x.shape;
  for (const t of [scale, bias]) {
    if (t.rank !== 2 || t.shape[0] !== N || t.shape[1] !== C) {
      throw new Error(`adain: scale/bias must be [${N}, ${C}] for x ${shapeString(x.shape)}, got ${shapeString(t.shape)}`);
    }
  }
  const perSample = (t: Tensor) => reshape(t, [N, C, 1, 1]);
  return add(mul(instanceNorm2d(x, eps), perSample(scale)), perSample(bias));
}

/**
 * LDFusion's LayerNorm (src/models.py there): per sample, mean and unbiased std over C·H·W,
 * (x − mean)/(std + eps) — eps on the std, not the variance — then gamma[c]·x̂ + beta[c].
 */
export function layerNormLD(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  expectNchw('layerNormLD', x);
  expectChannels('layerNormLD', x, gamma, beta);
  const [, C, H, W] = x.shape;
  const count = C * H * W;
  if (count < 2) throw new Error(`layerNormLD needs more than one value per sample, got x ${shapeString(x.shape)}`);
  const centred = sub(x, mean(x, { axes: [1, 2, 3], keepDims: true }));
  const std = sqrt(mulScalar(sum(square(centred), { axes: [1, 2, 3], keepDims: true }), 1 / (count - 1)));
  const normalised = div(centred, addScalar(std, eps));
  return add(mul(normalised, perChannel(gamma)), perChannel(beta));
}

/**
 * Normalisations over NCHW tensors, each the fused standardisation of src/ops/standardise.ts
 * with its groups, denominator and affine map (a hand-written backward there; composed from
 * primitives, one BatchNorm took 46 dispatches forward and back, it now takes 5 or 6).
 * Float64 references with hand-written backward: src/reference/norm.ts.
 *   batchNorm2d     per channel over N, H, W (train: batch statistics; eval: running ones)
 *   instanceNorm2d  per (sample, channel) over H, W, no affine (PyTorch InstanceNorm2d default)
 *   adain           instanceNorm2d, then a per-(sample, channel) scale and bias (MUNIT/LDFusion)
 *   layerNormLD     LDFusion's own LayerNorm: per sample over C, H, W with the *unbiased* std,
 *                   (x − mean)/(std + eps), then a per-channel affine
 */
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { add, div, mul, sub } from './binary.ts';
import { reshape } from './shape.ts';
import { standardise } from './standardise.ts';
import { addScalar, sqrt } from './unary.ts';

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
  const [N, , H, W] = x.shape;
  if (N * H * W < 2) throw new Error(`batchNorm2d: training needs more than one value per channel, got x ${shapeString(x.shape)}`);
  const running = { mean: state.runningMean, variance: state.runningVar, momentum: state.momentum };
  return standardise(x, { over: 'channel', eps: state.eps, epsOn: 'variance', scale: gamma, shift: beta, running });
}

/** InstanceNorm2d without affine: per (sample, channel) over H, W, biased variance. */
export function instanceNorm2d(x: Tensor, eps = 1e-5): Tensor {
  expectNchw('instanceNorm2d', x);
  return standardise(x, { over: 'plane', eps, epsOn: 'variance' });
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
  return standardise(x, { over: 'plane', eps, epsOn: 'variance', scale, shift: bias });
}

/**
 * LDFusion's LayerNorm (src/models.py there): per sample, mean and unbiased std over C·H·W,
 * (x − mean)/(std + eps) — eps on the std, not the variance — then gamma[c]·x̂ + beta[c].
 */
export function layerNormLD(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  expectNchw('layerNormLD', x);
  expectChannels('layerNormLD', x, gamma, beta);
  const [, C, H, W] = x.shape;
  if (C * H * W < 2) throw new Error(`layerNormLD needs more than one value per sample, got x ${shapeString(x.shape)}`);
  const normalised = standardise(x, { over: 'sample', eps, epsOn: 'std' });
  return add(mul(normalised, perChannel(gamma)), perChannel(beta));
}

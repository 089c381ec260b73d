/**
 * Eval-mode BatchNorm folded into the convolution before it. BatchNorm with running statistics
 * is a per-channel affine map, so conv(x, W, b) followed by it is conv(x, W', b') with
 * s = γ/√(σ² + ε) per output channel:
 *   W' = W·s        b' = (b − μ)·s + β
 * one pass over the feature map instead of two. One kernel makes W' and b'
 * (shaders/fold_norm.wgsl), where the same map as engine ops took seven dispatches: DIDFuse
 * folds eleven layers a frame (its encoder's four twice), every frame, so a fold never goes stale.
 * Under autograd (grad enabled and an input that requires it) the fold is those engine ops,
 * whose backward rules give the gradients; the kernel is for inference.
 * Shapes: W [O, …] (output channel first), b [O] or null; γ, β, μ, σ² [O].
 * Float64 reference: src/reference/norm.ts foldBatchNormWeight and foldBatchNormBias.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { add, div, mul, sub } from './binary.ts';
import type { BatchNormState } from './norm.ts';
import { reshape } from './shape.ts';
import { addScalar, mulScalar, sqrt } from './unary.ts';

/** The BatchNorm being folded: its affine parameters and running statistics. */
export interface FoldedNorm {
  weight: Tensor; // γ [O]
  bias: Tensor; // β [O]
  state: BatchNormState;
}

const FOLD: Kernel = { name: 'fold_norm', file: 'fold_norm.wgsl', inputs: 6, outputs: 2, uniform: true };

/** W' and b' of the convolution (W, b) followed by the eval-mode BatchNorm `norm`; see the file comment. */
export function foldBatchNorm(weight: Tensor, bias: Tensor | null, norm: FoldedNorm): { weight: Tensor; bias: Tensor } {
  const O = weight.shape[0];
  const { runningMean, runningVar, eps } = norm.state;
  const perChannel = [bias, norm.weight, norm.bias, runningMean, runningVar];
  if (weight.rank < 1 || perChannel.some((t) => t && (t.rank !== 1 || t.shape[0] !== O))) {
    throw new Error(`foldBatchNorm: W ${shapeString(weight.shape)} needs b, γ, β, μ and σ² of shape [${O}]`);
  }
  const inputs = [weight, ...perChannel].filter((t): t is Tensor => t !== null);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) return composite(weight, bias, norm);
  const folded = { weight: Tensor.empty(weight.shape, 'fold_norm.weight'), bias: Tensor.empty([O], 'fold_norm.bias') };
  if (O > 0) {
    const rt = runtime();
    rt.dispatch(FOLD, {
      inputs: [weight, bias ?? runningMean, norm.weight, norm.bias, runningMean, runningVar],
      outputs: [folded.weight, folded.bias],
      params: new Params().u32(O).u32(weight.size / O).u32(bias ? 1 : 0).f32(eps),
      workgroups: rt.grid1d(weight.size + O, 256),
    });
  }
  return folded;
}

/** The same map as engine ops, with their backward rules. */
function composite(weight: Tensor, bias: Tensor | null, norm: FoldedNorm): { weight: Tensor; bias: Tensor } {
  const { runningMean, runningVar, eps } = norm.state;
  const scale = div(norm.weight, sqrt(addScalar(runningVar, eps)));
  const perChannel = reshape(scale, [scale.size, ...weight.shape.slice(1).map(() => 1)]);
  const shifted = bias ? sub(bias, runningMean) : mulScalar(runningMean, -1);
  return { weight: mul(weight, perChannel), bias: add(mul(shifted, scale), norm.bias) };
}

/** PyTorch's nn.Linear as a layer over ops.linear. */
import { linear } from '../ops/sine_linear.ts';
import { uniform } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Module, type OwnTensor } from './module.ts';

/** PyTorch nn.Linear: weight [out, in], both tensors U(±1/√in). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(inFeatures: number, outFeatures: number, random: () => number) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniform([outFeatures, inFeatures], -bound, bound, random, { requiresGrad: true, label: 'linear.weight' });
    this.bias = uniform([outFeatures], -bound, bound, random, { requiresGrad: true, label: 'linear.bias' });
  }

  protected override ownTensors(): Record<string, OwnTensor> {
    return { weight: { tensor: this.weight, trainable: true }, bias: { tensor: this.bias, trainable: true } };
  }

  /** x [N, in] → [N, out] */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

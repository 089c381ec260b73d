/** BatchNorm2d (γ = 1, β = 0, running mean 0 and variance 1 at start, as PyTorch) and PReLU. */
import { prelu } from '../ops/binary.ts';
import { batchNorm2d, type BatchNormState } from '../ops/norm.ts';
import { full, ones, zeros } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Module, type OwnTensor } from './module.ts';

export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly state: BatchNormState;

  constructor(channels: number, options: { momentum?: number; eps?: number } = {}) {
    super();
    this.weight = ones([channels], { requiresGrad: true, label: 'bn.weight' });
    this.bias = zeros([channels], { requiresGrad: true, label: 'bn.bias' });
    this.state = {
      runningMean: zeros([channels], { label: 'bn.running_mean' }),
      runningVar: ones([channels], { label: 'bn.running_var' }),
      momentum: options.momentum ?? 0.1,
      eps: options.eps ?? 1e-5,
    };
  }

  protected override ownTensors(): Record<string, OwnTensor> {
    return {
      weight: { tensor: this.weight, trainable: true },
      bias: { tensor: this.bias, trainable: true },
      running_mean: { tensor: this.state.runningMean, trainable: false },
      running_var: { tensor: this.state.runningVar, trainable: false },
    };
  }

  forward(x: Tensor): Tensor {
    return batchNorm2d(x, this.weight, this.bias, this.state, this.training);
  }
}

/** PReLU with one slope shared by all channels (PyTorch's default, init 0.25). */
export class PReLU extends Module {
  readonly weight: Tensor;

  constructor(init = 0.25) {
    super();
    this.weight = full([1], init, { requiresGrad: true, label: 'prelu.weight' });
  }

  protected override ownTensors(): Record<string, OwnTensor> {
    return { weight: { tensor: this.weight, trainable: true } };
  }

  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}

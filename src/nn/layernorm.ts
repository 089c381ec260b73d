/** LDFusion's LayerNorm as a layer over ops.layerNormLD (per-sample statistics, per-channel affine). */
import { layerNormLD } from '../ops/norm.ts';
import { uniform, zeros } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Module, type OwnTensor } from './module.ts';

/** The authors' LayerNorm (not nn.LayerNorm): gamma U(0, 1), beta 0; see ops.layerNormLD. */
export class LayerNormLD extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;

  constructor(channels: number, random: () => number) {
    super();
    this.gamma = uniform([channels], 0, 1, random, { requiresGrad: true, label: 'layernorm.gamma' });
    this.beta = zeros([channels], { requiresGrad: true, label: 'layernorm.beta' });
  }

  protected override ownTensors(): Record<string, OwnTensor> {
    return { gamma: { tensor: this.gamma, trainable: true }, beta: { tensor: this.beta, trainable: true } };
  }

  forward(x: Tensor): Tensor {
    return layerNormLD(x, this.gamma, this.beta, 1e-5);
  }
}

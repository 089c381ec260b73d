/**
 * Convolution layers over src/ops/conv.ts with PyTorch's default initialisation
 * (kaiming_uniform with a = √5, i.e. weight and bias U(±1/√fan_in)) from a seeded generator,
 * or a custom weight initialiser (LDFusion draws N(0, 0.02)).
 */
import { conv2d, convTranspose2d } from '../ops/conv.ts';
import { uniform } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Module, type OwnTensor } from './module.ts';

export interface ConvLayerOptions {
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
  /** output padding of a transposed convolution */
  outputPadding?: number;
  random: () => number;
}

abstract class ConvLayer extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(weightShape: number[], fanIn: number, biasSize: number, protected options: ConvLayerOptions) {
    super();
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = uniform(weightShape, -bound, bound, options.random, { requiresGrad: true, label: 'conv.weight' });
    this.bias = options.bias === false ? null : uniform([biasSize], -bound, bound, options.random, { requiresGrad: true, label: 'conv.bias' });
  }

  protected override ownTensors(): Record<string, OwnTensor> {
    const own: Record<string, OwnTensor> = { weight: { tensor: this.weight, trainable: true } };
    if (this.bias) own.bias = { tensor: this.bias, trainable: true };
    return own;
  }

  abstract forward(x: Tensor): Tensor;
}

/** Conv2d(in, out, k): weight [out, in/groups, k, k]. */
export class Conv2d extends ConvLayer {
  constructor(inChannels: number, outChannels: number, kernel: number, options: ConvLayerOptions) {
    const groups = options.groups ?? 1;
    super([outChannels, inChannels / groups, kernel, kernel], (inChannels / groups) * kernel * kernel, outChannels, options);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}

/** ConvTranspose2d(in, out, k): weight [in, out/groups, k, k]; PyTorch's fan_in is weight.size(1)·k². */
export class ConvTranspose2d extends ConvLayer {
  constructor(inChannels: number, outChannels: number, kernel: number, options: ConvLayerOptions) {
    const groups = options.groups ?? 1;
    super([inChannels, outChannels / groups, kernel, kernel], (outChannels / groups) * kernel * kernel, outChannels, options);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, this.options);
  }
}

/**
 * DIDFuse (Zhao et al., IJCAI 2020; Zhaozixiang1228/IVIF-DIDFuse), spec: ../shared/spec/models.md §2.
 * A full-resolution conv auto-encoder: 3×3 convs (64 channels) → BatchNorm → PReLU/tanh/sigmoid.
 *
 *   layer  input              border        conv      act      output
 *   cov1   image (1)          reflect 1     1→64      PReLU    f1
 *   cov2   f1                 zero 1        64→64     PReLU    f2
 *   cov3   f2                 zero 1        64→64     tanh     base  (background)
 *   cov4   f2                 zero 1        64→64     tanh     detail
 *   cov5   [base, detail]     zero 1        128→64    PReLU    o1
 *   cov6   [o1, f2]           zero 1        128→64    PReLU    o2
 *   cov7   [o2, f1]           reflect 1     128→1     sigmoid  image
 *
 * Tensor names follow the authors' state dicts (`cov1.cov1.1.weight`: index 0 is the reflection
 * pad where there is one, then conv, BatchNorm, PReLU), under `encoder.` and `decoder.`.
 */
import { BatchNorm2d, PReLU } from '../nn/batchnorm.ts';
import { Conv2d } from '../nn/conv.ts';
import { Module } from '../nn/module.ts';
import { abs, add, concat, conv2d, div, l1, mse, mul, mulScalar, pad2d, sigmoid, sobel, ssimLoss, sub, tanh } from '../ops/index.ts';
import { foldBatchNorm } from '../ops/fold_norm.ts';
import { mulberry32, ones } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

type Activation = 'prelu' | 'tanh' | 'sigmoid';

/** [reflection pad 1 →] conv 3×3 → BatchNorm → activation, named like the authors' nn.Sequential. */
class DidfuseLayer extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly prelu: PReLU | null;

  constructor(readonly name: string, inChannels: number, outChannels: number, private reflect: boolean, private activation: Activation, random: () => number) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, 3, { padding: reflect ? 0 : 1, random });
    this.bn = new BatchNorm2d(outChannels);
    this.prelu = activation === 'prelu' ? new PReLU() : null;
  }

  protected override children(): Record<string, Module> {
    const first = this.reflect ? 1 : 0; // the authors' index of the conv in their Sequential
    const out: Record<string, Module> = { [`${this.name}.${first}`]: this.conv, [`${this.name}.${first + 1}`]: this.bn };
    if (this.prelu) out[`${this.name}.${first + 2}`] = this.prelu;
    return out;
  }

  forward(x: Tensor): Tensor {
    const input = this.reflect ? pad2d(x, 1, 'reflect') : x;
    const y = this.training ? this.bn.forward(this.conv.forward(input)) : this.convWithFoldedNorm(input);
    if (this.prelu) return this.prelu.forward(y);
    return this.activation === 'tanh' ? tanh(y) : sigmoid(y);
  }

  /**
   * Eval mode: BatchNorm with running statistics folds into the convolution (src/ops/fold_norm.ts),
   * one pass over the feature map instead of two. Folded on every call (one small dispatch), so it
   * never goes stale.
   */
  private convWithFoldedNorm(x: Tensor): Tensor {
    const { weight, bias } = foldBatchNorm(this.conv.weight, this.conv.bias, this.bn);
    return conv2d(x, weight, bias, { padding: this.reflect ? 0 : 1 });
  }
}

/** What the encoder gives: the two skips and the base/detail features, each [N, 64, H, W]. */
export interface DidfuseFeatures {
  f1: Tensor;
  f2: Tensor;
  base: Tensor;
  detail: Tensor;
}

export class DidfuseEncoder extends Module {
  readonly cov1: DidfuseLayer;
  readonly cov2: DidfuseLayer;
  readonly cov3: DidfuseLayer;
  readonly cov4: DidfuseLayer;

  constructor(width: number, random: () => number) {
    super();
    this.cov1 = new DidfuseLayer('cov1', 1, width, true, 'prelu', random);
    this.cov2 = new DidfuseLayer('cov2', width, width, false, 'prelu', random);
    this.cov3 = new DidfuseLayer('cov3', width, width, false, 'tanh', random);
    this.cov4 = new DidfuseLayer('cov4', width, width, false, 'tanh', random);
  }

  protected override children(): Record<string, Module> {
    return { cov1: this.cov1, cov2: this.cov2, cov3: this.cov3, cov4: this.cov4 };
  }

  /** image [N, 1, H, W] in [0, 1] */
  forward(image: Tensor): DidfuseFeatures {
    const f1 = this.cov1.forward(image);
    const f2 = this.cov2.forward(f1);
    return { f1, f2, base: this.cov3.forward(f2), detail: this.cov4.forward(f2) };
  }
}

export class DidfuseDecoder extends Module {
  readonly cov5: DidfuseLayer;
  readonly cov6: DidfuseLayer;
  readonly cov7: DidfuseLayer;

  constructor(width: number, random: () => number) {
    super();
    this.cov5 = new DidfuseLayer('cov5', 2 * width, width, false, 'prelu', random);
    this.cov6 = new DidfuseLayer('cov6', 2 * width, width, false, 'prelu', random);
    this.cov7 = new DidfuseLayer('cov7', 2 * width, 1, true, 'sigmoid', random);
  }

  protected override children(): Record<string, Module> {
    return { cov5: this.cov5, cov6: this.cov6, cov7: this.cov7 };
  }

  /** → image [N, 1, H, W] in (0, 1) */
  forward({ f1, f2, base, detail }: DidfuseFeatures): Tensor {
    const o1 = this.cov5.forward(concat([base, detail], 1));
    const o2 = this.cov6.forward(concat([o1, f2], 1));
    return this.cov7.forward(concat([o2, f1], 1));
  }
}

export type FusionRule = 'sum' | 'avg' | 'l1';
export const FUSION_RULES: readonly FusionRule[] = ['sum', 'avg', 'l1'];

/**
 * The authors' l1_norm rule: activity A = Σ_c box3×3(|a_c|) (zero border; the 1/9 kernel
 * expanded over all channels sums them), then weights A/(A + B) and B/(A + B), no epsilon.
 */
function l1NormFusion(a: Tensor, b: Tensor): Tensor {
  const channels = a.shape[1];
  const box = mulScalar(ones([1, channels, 3, 3]), 1 / 9);
  const activityA = conv2d(abs(a), box, null, { padding: 1 });
  const activityB = conv2d(abs(b), box, null, { padding: 1 });
  const total = add(activityA, activityB);
  return add(mul(a, div(activityA, total)), mul(b, div(activityB, total)));
}

export function fuseFeatures(a: Tensor, b: Tensor, rule: FusionRule): Tensor {
  switch (rule) {
    case 'sum': return add(a, b);
    case 'avg': return mulScalar(add(a, b), 0.5);
    case 'l1': return l1NormFusion(a, b);
  }
}

export interface DidfuseOptions {
  /** channels of every hidden layer: 64 in the paper */
  width?: number;
  seed?: number;
}

/** The total training loss and its terms (a type, not an interface, so tidy() can return it). */
export type DidfuseLossTerms = {
  total: Tensor;
  reconstructionVis: Tensor;
  reconstructionIr: Tensor;
  base: Tensor;
  detail: Tensor;
  gradient: Tensor;
};

export class DIDFuse extends Module {
  readonly encoder: DidfuseEncoder;
  readonly decoder: DidfuseDecoder;
  readonly width: number;

  constructor(options: DidfuseOptions = {}) {
    super();
    this.width = options.width ?? 64;
    const random = mulberry32(options.seed ?? 0);
    this.encoder = new DidfuseEncoder(this.width, random);
    this.decoder = new DidfuseDecoder(this.width, random);
  }

  protected override children(): Record<string, Module> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  /** Inference: encode both [N, 1, H, W] images, fuse all four feature sets with `rule`, decode. */
  fuse(ir: Tensor, vis: Tensor, rule: FusionRule = 'sum'): Tensor {
    const a = this.encoder.forward(ir);
    const b = this.encoder.forward(vis);
    return this.decoder.forward({
      f1: fuseFeatures(a.f1, b.f1, rule),
      f2: fuseFeatures(a.f2, b.f2, rule),
      base: fuseFeatures(a.base, b.base, rule),
      detail: fuseFeatures(a.detail, b.detail, rule),
    });
  }

  /**
   * The training loss (train.py): each modality is encoded on its own (so BatchNorm sees
   * per-modality batch statistics) and reconstructed;
   *   2·rec(VIS) + 2·rec(IR) + tanh(mean|B_IR − B_VIS|) − 0.5·tanh(mean|D_IR − D_VIS|) + 10·mean|∇VIS − ∇VIS_rec|
   * with rec(X) = 5·ssimLoss(X, X̂) + mse(X, X̂) and ∇ kornia's normalised Sobel, replicate border.
   */
  loss(vis: Tensor, ir: Tensor): DidfuseLossTerms {
    const featuresVis = this.encoder.forward(vis);
    const featuresIr = this.encoder.forward(ir);
    const visRec = this.decoder.forward(featuresVis);
    const irRec = this.decoder.forward(featuresIr);
    const reconstruction = (x: Tensor, xr: Tensor) => add(mulScalar(ssimLoss(x, xr), 5), mse(x, xr));
    const reconstructionVis = reconstruction(vis, visRec);
    const reconstructionIr = reconstruction(ir, irRec);
    const base = l1(featuresIr.base, featuresVis.base);
    const detail = l1(featuresIr.detail, featuresVis.detail);
    const edges = (x: Tensor) => sobel(x, { border: 'replicate', normalise: true });
    const gradient = l1(edges(vis), edges(visRec));
    const total = add(
      add(mulScalar(add(reconstructionVis, reconstructionIr), 2), sub(tanh(base), mulScalar(tanh(detail), 0.5))),
      mulScalar(gradient, 10),
    );
    return { total, reconstructionVis, reconstructionIr, base, detail, gradient };
  }
}

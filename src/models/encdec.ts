/**
 * Ataman & Akar's encoder–decoder fusion network (ferhatcan/pyFusionSR `EncoderFusionDecoderv2`,
 * `type = fusionv2`), spec: ../shared/spec/models.md §3. Linear up to the final tanh: no
 * activation or normalisation anywhere else. w = width (64 in the paper), H, W multiples of 32.
 *
 *   encoder (one per modality)            fusion (per level)           decoder (VIS model's)
 *   conv1            1→w,  avgpool  H/2   cat[IR, VIS] 2w→w    1×1     layer1 ConvT 16w→8w, cat → 16w  H/16
 *   encoder_layer_1  w→2w, avgpool  H/4   cat 4w→2w                    layer2 ConvT 16w→4w, cat → 8w   H/8
 *   encoder_layer_2 2w→4w, avgpool  H/8   cat 8w→4w                    layer3 ConvT  8w→2w, cat → 4w   H/4
 *   encoder_layer_3 4w→8w, avgpool  H/16  cat 16w→8w                   layer4 ConvT  4w→w,  cat → 2w   H/2
 *   encoder_layer_4 8w→16w, avgpool H/32  cat 32w→16w                  layer5 ConvT  2w→w              H
 *                                                                      layer6 conv 3×3 w→1, tanh
 * Encoder convs are 3×3, zero pad 1, no bias; fusion convs have a bias; the transposed convs are
 * k 4, s 2, p 1, no bias, groups 32. Skips are concatenated before the upsampled features.
 *
 * Tensor names follow the authors' state dict (`model_ir.encoder.conv1.weight`,
 * `fusion_layers.0.weight` for the deepest level, `model_eo.decoder.layer1.weight`); the unused IR
 * decoder and the duplicate Sequential aliases (`input_layer.0`, `output_layer.0`) are left out.
 */
import { FusegradError } from '../errors.ts';
import { resizeBilinear } from '../io/resample.ts';
import type { TensorEntry } from '../io/safetensors.ts';
import { Conv2d, ConvTranspose2d } from '../nn/conv.ts';
import { Module } from '../nn/module.ts';
import { add, addScalar, avgPool2d, concat, mulScalar, tanh } from '../ops/index.ts';
import { qeLoss, qwLoss } from '../ops/qw.ts';
import { mulberry32 } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { fuseLumaPlanes, loadWeights } from './ldfusion.ts';

const LEVELS = 5;

/** [0, 1] → [−1, 1], the authors' `between1-1` normalisation of the network's inputs. */
export const toSignedRange = (x: Tensor): Tensor => addScalar(mulScalar(x, 2), -1);

/** The five encoder outputs, level k at H/2^(k+1) with w·2^k channels (input_layer, layer1…layer4). */
export type PyramidLevels = Tensor[];

const greatestCommonDivisor = (a: number, b: number): number => (b ? greatestCommonDivisor(b, a % b) : a);

/**
 * The decoder's group count: 32 as in the paper, or the largest divisor of 32 that divides w
 * (every decoder channel count is a multiple of w), i.e. min(32, w) for powers of two.
 */
export const decoderGroups = (width: number): number => greatestCommonDivisor(32, width);

export class EncoderPyramid extends Module {
  /** conv1, encoder_layer_1 … encoder_layer_4 */
  readonly convs: Conv2d[];

  constructor(width: number, random: () => number) {
    super();
    const channels = [1, ...Array.from({ length: LEVELS }, (_, k) => width * 2 ** k)];
    this.convs = Array.from({ length: LEVELS }, (_, k) => new Conv2d(channels[k], channels[k + 1], 3, { padding: 1, bias: false, random }));
  }

  protected override children(): Record<string, Module> {
    return Object.fromEntries(this.convs.map((c, k) => [k === 0 ? 'conv1' : `encoder_layer_${k}`, c]));
  }

  /** image [N, 1, H, W] → the five levels; the authors' "maxpool" is an average pool */
  forward(image: Tensor): PyramidLevels {
    const levels: Tensor[] = [];
    let x = image;
    for (const conv of this.convs) levels.push((x = avgPool2d(conv.forward(x))));
    return levels;
  }
}

export class PyramidDecoder extends Module {
  /** layer1 … layer5: the ×2 transposed convs, deepest first */
  readonly upsample: ConvTranspose2d[];
  readonly layer6: Conv2d;

  constructor(width: number, random: () => number) {
    super();
    const groups = decoderGroups(width);
    const w = width;
    const shapes: [number, number][] = [[16 * w, 8 * w], [16 * w, 4 * w], [8 * w, 2 * w], [4 * w, w], [2 * w, w]];
    this.upsample = shapes.map(([cin, cout]) => new ConvTranspose2d(cin, cout, 4, { stride: 2, padding: 1, groups, bias: false, random }));
    this.layer6 = new Conv2d(w, 1, 3, { padding: 1, bias: false, random });
  }

  protected override children(): Record<string, Module> {
    return { ...Object.fromEntries(this.upsample.map((c, k) => [`layer${k + 1}`, c])), layer6: this.layer6 };
  }

  /** fused levels → image [N, 1, H, W] in (−1, 1) */
  forward(levels: PyramidLevels): Tensor {
    let x = levels[LEVELS - 1];
    for (let k = 0; k < LEVELS - 1; k++) x = concat([levels[LEVELS - 2 - k], this.upsample[k].forward(x)], 1);
    return tanh(this.layer6.forward(this.upsample[LEVELS - 1].forward(x)));
  }
}

export interface EncDecOptions {
  /** channels of the first level: 64 in the paper (15,769,216 parameters) */
  width?: number;
  seed?: number;
}

/** The training loss and its terms (a type, not an interface, so tidy() can return it). */
export type EncDecLossTerms = { total: Tensor; quality: Tensor; edgeQuality: Tensor };

export class EncDecFusion extends Module {
  readonly irEncoder: EncoderPyramid;
  readonly visEncoder: EncoderPyramid;
  /** fusionLayers[k] merges level k (the authors index them deepest first: fusion_layers.{4 − k}) */
  readonly fusionLayers: Conv2d[];
  readonly decoder: PyramidDecoder;
  readonly width: number;

  constructor(options: EncDecOptions = {}) {
    super();
    this.width = options.width ?? 64;
    const random = mulberry32(options.seed ?? 0);
    this.irEncoder = new EncoderPyramid(this.width, random);
    this.visEncoder = new EncoderPyramid(this.width, random);
    this.fusionLayers = Array.from({ length: LEVELS }, (_, k) => {
      const c = this.width * 2 ** k;
      return new Conv2d(2 * c, c, 1, { random });
    });
    this.decoder = new PyramidDecoder(this.width, random);
  }

  protected override children(): Record<string, Module> {
    return {
      'model_ir.encoder': this.irEncoder,
      'model_eo.encoder': this.visEncoder,
      'model_eo.decoder': this.decoder,
      ...Object.fromEntries(this.fusionLayers.map((c, k) => [`fusion_layers.${LEVELS - 1 - k}`, c])),
    };
  }

  /** ir, vis [N, 1, H, W] in [−1, 1], H and W multiples of 32 → tanh output [N, 1, H, W] in (−1, 1). */
  forward(ir: Tensor, vis: Tensor): Tensor {
    const [, C, H, W] = ir.shape;
    if (ir.rank !== 4 || C !== 1 || H % 32 || W % 32 || vis.shape.join() !== ir.shape.join()) {
      throw new FusegradError(`the encoder–decoder needs IR and VIS as [N, 1, H, W] with H, W multiples of 32 ` +
        `(got ${ir.shape.join('×')} and ${vis.shape.join('×')}); resize them first, as inference.py does`);
    }
    const irLevels = this.irEncoder.forward(ir);
    const visLevels = this.visEncoder.forward(vis);
    const fused = this.fusionLayers.map((conv, k) => conv.forward(concat([irLevels[k], visLevels[k]], 1)));
    return this.decoder.forward(fused);
  }

  /** Inference (inference.py): the fused Y in [0, 1] = (tanh + 1)/2. */
  fuse(ir: Tensor, vis: Tensor): Tensor {
    return addScalar(mulScalar(this.forward(ir, vis), 0.5), 0.5);
  }

  /**
   * Fused Y of two aligned luma planes in [0, 1], as inference.py: both resized to the size rounded
   * down to a multiple of 32 (bilinear here; the authors' bicubic), fused, resized back.
   */
  async fuseLuma(ir: Float32Array, vis: Float32Array, width: number, height: number): Promise<Float32Array> {
    const [w, h] = [width - (width % 32), height - (height % 32)];
    if (w === 0 || h === 0) throw new FusegradError(`the encoder–decoder needs images of at least 32×32 pixels, got ${width}×${height}`);
    const resized = (plane: Float32Array) => (w === width && h === height ? plane : resizeBilinear(plane, width, height, w, h));
    const fused = await fuseLumaPlanes(({ vis: v, ir: i }) => this.fuse(toSignedRange(i), toSignedRange(v)), resized(ir), resized(vis), w, h);
    return w === width && h === height ? fused : resizeBilinear(fused, w, h, width, height);
  }

  /**
   * The loss of the config inference.py loads: 1·(1 − Q) + 1·(1 − Q_edge^0.7), with VIS as "a"
   * and IR as "b"; `fused` is the network's tanh output (computed when not given). Q_edge is
   * floored at 1e−6 before the power (see qeLoss): where the authors' loss would be NaN, ours
   * keeps training on Q alone.
   */
  loss(vis: Tensor, ir: Tensor, fused: Tensor = this.forward(ir, vis)): EncDecLossTerms {
    const quality = qwLoss(vis, ir, fused);
    const edgeQuality = qeLoss(vis, ir, fused, 1e-6);
    return { total: add(quality, edgeQuality), quality, edgeQuality };
  }
}

/** Keys of the authors' state dict this model does not use: the IR decoder and Sequential aliases. */
const isUnusedAuthorKey = (key: string) => /^model_ir\.decoder\./.test(key) || /(^|\.)(input_layer|output_layer)\.0\./.test(key);

/** An encoder–decoder from a state dict (ours or the authors'); the width is read from conv1's shape. */
export function encdecFromTensors(tensors: Map<string, TensorEntry>, fileName: string): EncDecFusion {
  const first = tensors.get('model_ir.encoder.conv1.weight');
  if (!first) throw new FusegradError(`${fileName}: not encoder–decoder weights (no tensor model_ir.encoder.conv1.weight)`);
  const model = new EncDecFusion({ width: first.shape[0] });
  try {
    loadWeights(model, tensors, fileName, isUnusedAuthorKey);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

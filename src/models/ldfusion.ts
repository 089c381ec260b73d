/**
 * LDFusion (Wang et al., ACM MM 2025; wyhlaowang/LDFusion `src/models.py`, `src/test.py`).
 * Spec: ../shared/spec/models.md §4; weights and oracle: ../shared/weights/ldfusion/README.md.
 * MUNIT-style: each modality has a content encoder and a style encoder; the styles drive the
 * AdaIN layers of a decoder that upsamples the concatenated contents.
 *
 *   VIS-Y ─ content_encoder1 ─┐ concat → [N, 256, h, w], h = ⌊⌊⌊H/2⌋/2⌋/2⌋
 *   IR    ─ content_encoder2 ─┘            │
 *   VIS-Y ─ style_encoder1 ─┐ concat → 16 → mlp → 2048 AdaIN values (4 layers × [bias 256, scale 256])
 *   IR    ─ style_encoder2 ─┘            │
 *   model_local: 2 residual blocks with AdaIN, 256 channels
 *   model_up:    3 × [ConvTranspose 5×5 s2 p0 → LayerNorm (unbiased std) → ReLU]  (n → 2n + 3)
 *                ReflPad3 → conv 7×7 → tanh → clamp [0, 1]   → [N, 1, 8h + 21, 8w + 21]
 *   crop the top-left H×W: the fused Y.
 *
 * Layer classes are named and indexed like the authors' nn.Sequential, so the state-dict keys are
 * theirs (`content_encoder1.model.13.block.5.weight`, `mlp.model.4.bias`, `model_up.1.gamma`).
 * Widths are options, so LD-Lite (src/models/ldlite.ts) reuses the same classes.
 */
import { FusegradError } from '../errors.ts';
import { readSafetensors, type TensorEntry } from '../io/safetensors.ts';
import { Conv2d, ConvTranspose2d } from '../nn/conv.ts';
import { LayerNormLD } from '../nn/layernorm.ts';
import { Linear } from '../nn/linear.ts';
import { Module } from '../nn/module.ts';
import {
  abs, adain, add, clamp, concat, globalAvgPool, instanceNorm2d, l1, maximum, mse, mulScalar,
  pad2d, relu, reshape, sigmoid, slice, sobel, ssimLoss, tanh,
} from '../ops/index.ts';
import { isGradEnabled, noGrad, runtime } from '../tensor/context.ts';
import { mulberry32, tensor } from '../tensor/create.ts';
import { tidy } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * Inference frees each block's intermediates as soon as the block is done (a 1024×768 image would
 * otherwise hold gigabytes); while recording a tape they must live until backward().
 */
function stage(fn: () => Tensor): Tensor {
  return isGradEnabled() ? fn() : tidy(fn);
}

/** The authors' weights_init_normal: every Conv2d/ConvTranspose2d weight ~ N(0, 0.02). */
function initNormal(weight: Tensor, std: number, random: () => number): void {
  const data = new Float32Array(weight.size);
  for (let i = 0; i < data.length; i += 2) { // Box–Muller, two values per pair of uniforms
    const radius = std * Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    data[i] = radius * Math.cos(angle);
    if (i + 1 < data.length) data[i + 1] = radius * Math.sin(angle);
  }
  runtime().write(weight.buffer, data);
}

const CONV_INIT_STD = 0.02;

function conv(inChannels: number, outChannels: number, kernel: number, random: () => number, stride = 1, padding = 0): Conv2d {
  const layer = new Conv2d(inChannels, outChannels, kernel, { stride, padding, random });
  initNormal(layer.weight, CONV_INIT_STD, random);
  return layer;
}

/** ReflectionPad(p) → conv k×k, as the authors' Conv2dBlock with pad_type 'reflect'. */
const reflectConv = (layer: Conv2d, x: Tensor, pad: number): Tensor => layer.forward(pad2d(x, pad, 'reflect'));

/** Which of a residual block's two normalisations is being applied (each AdaIN has its own parameters). */
export type Normalise = (x: Tensor, which: 0 | 1) => Tensor;

/**
 * ResBlock: x + norm₁(conv₅(ReflPad1(ReLU(norm₀(conv₁(ReflPad1 x)))))). The authors' Sequential is
 * [pad, conv, norm, relu, pad, conv, norm], so the convs are `block.1` and `block.5`.
 */
export class ResidualBlock extends Module {
  readonly convA: Conv2d;
  readonly convB: Conv2d;

  constructor(channels: number, random: () => number) {
    super();
    this.convA = conv(channels, channels, 3, random);
    this.convB = conv(channels, channels, 3, random);
  }

  protected override children(): Record<string, Module> {
    return { 'block.1': this.convA, 'block.5': this.convB };
  }

  forward(x: Tensor, normalise: Normalise): Tensor {
    return stage(() => {
      const hidden = relu(normalise(reflectConv(this.convA, x, 1), 0));
      return add(x, normalise(reflectConv(this.convB, hidden, 1), 1));
    });
  }
}

const instanceNorm: Normalise = (x) => instanceNorm2d(x, 1e-5);

/**
 * Content encoder: ReflPad3 conv 7×7 (1 → dim), IN, ReLU; 3 × [conv 4×4 s2 zero-pad 1, IN, ReLU]
 * doubling the channels; 2 residual blocks. Sequential indices 1; 4, 7, 10; 13, 14.
 */
export class ContentEncoder extends Module {
  readonly stem: Conv2d;
  readonly downsample: Conv2d[];
  readonly residual: ResidualBlock[];
  /** channels of the output: dim · 2³ */
  readonly outChannels: number;

  constructor(dim: number, random: () => number) {
    super();
    this.stem = conv(1, dim, 7, random);
    this.downsample = [dim, 2 * dim, 4 * dim].map((c) => conv(c, 2 * c, 4, random, 2, 1));
    this.outChannels = 8 * dim;
    this.residual = [0, 1].map(() => new ResidualBlock(this.outChannels, random));
  }

  protected override children(): Record<string, Module> {
    const out: Record<string, Module> = { 'model.1': this.stem };
    this.downsample.forEach((layer, k) => { out[`model.${4 + 3 * k}`] = layer; });
    this.residual.forEach((layer, k) => { out[`model.${13 + k}`] = layer; });
    return out;
  }

  /** image [N, 1, H, W] → [N, 8·dim, h, w] */
  forward(image: Tensor): Tensor {
    let x = stage(() => relu(instanceNorm2d(reflectConv(this.stem, image, 3), 1e-5)));
    for (const layer of this.downsample) {
      const input = x;
      x = stage(() => relu(instanceNorm2d(layer.forward(input), 1e-5)));
    }
    for (const layer of this.residual) x = layer.forward(x, instanceNorm);
    return x;
  }
}

/**
 * Style encoder (no normalisation): ReflPad3 conv 7×7 (1 → dim), ReLU; conv 4×4 s2 p1 dim → 2dim
 * → 4dim → 4dim, each ReLU; global average pool; conv 1×1 → styleDim. Indices 1; 3, 5, 7; 10.
 */
export class StyleEncoder extends Module {
  readonly stem: Conv2d;
  readonly downsample: Conv2d[];
  readonly project: Conv2d;

  constructor(dim: number, styleDim: number, random: () => number) {
    super();
    this.stem = conv(1, dim, 7, random);
    this.downsample = [[dim, 2 * dim], [2 * dim, 4 * dim], [4 * dim, 4 * dim]].map(([a, b]) => conv(a, b, 4, random, 2, 1));
    this.project = conv(4 * dim, styleDim, 1, random);
  }

  protected override children(): Record<string, Module> {
    return { 'model.1': this.stem, 'model.3': this.downsample[0], 'model.5': this.downsample[1], 'model.7': this.downsample[2], 'model.10': this.project };
  }

  /** image [N, 1, H, W] → style code [N, styleDim, 1, 1] */
  forward(image: Tensor): Tensor {
    let x = stage(() => relu(reflectConv(this.stem, image, 3)));
    for (const layer of this.downsample) {
      const input = x;
      x = stage(() => relu(layer.forward(input)));
    }
    return this.project.forward(globalAvgPool(x));
  }
}

/** The AdaIN parameter generator: Linear → ReLU → Linear → ReLU → Linear (indices 0, 2, 4). */
export class AdainMlp extends Module {
  readonly layers: Linear[];

  constructor(inFeatures: number, hidden: number, outFeatures: number, random: () => number) {
    super();
    this.layers = [new Linear(inFeatures, hidden, random), new Linear(hidden, hidden, random), new Linear(hidden, outFeatures, random)];
  }

  protected override children(): Record<string, Module> {
    return { 'model.0': this.layers[0], 'model.2': this.layers[1], 'model.4': this.layers[2] };
  }

  /** style [N, in] → [N, out] */
  forward(style: Tensor): Tensor {
    const [first, second, last] = this.layers;
    return last.forward(relu(second.forward(relu(first.forward(style)))));
  }
}

export type OutputActivation = 'tanh' | 'sigmoid';

/**
 * `model_up`: 3 × [ConvTranspose 5×5 s2 p0 (indices 0, 3, 6), LayerNorm (1, 4, 7), ReLU] halving
 * the channels, then ReflPad3 conv 7×7 → 1 (index 10), the output activation, clamp [0, 1].
 */
export class UpsamplingPath extends Module {
  readonly upsample: ConvTranspose2d[];
  readonly norms: LayerNormLD[];
  readonly output: Conv2d;

  constructor(inChannels: number, private activation: OutputActivation, random: () => number) {
    super();
    const widths = [inChannels, inChannels / 2, inChannels / 4, inChannels / 8];
    this.upsample = [0, 1, 2].map((k) => {
      const layer = new ConvTranspose2d(widths[k], widths[k + 1], 5, { stride: 2, padding: 0, random });
      initNormal(layer.weight, CONV_INIT_STD, random);
      return layer;
    });
    this.norms = [1, 2, 3].map((k) => new LayerNormLD(widths[k], random));
    this.output = conv(widths[3], 1, 7, random);
  }

  protected override children(): Record<string, Module> {
    const out: Record<string, Module> = {};
    for (let k = 0; k < 3; k++) {
      out[`${3 * k}`] = this.upsample[k];
      out[`${3 * k + 1}`] = this.norms[k];
    }
    out['10'] = this.output;
    return out;
  }

  /** [N, C, h, w] → [N, 1, 8h + 21, 8w + 21] in [0, 1] */
  forward(x: Tensor): Tensor {
    for (let k = 0; k < 3; k++) {
      const input = x;
      x = stage(() => relu(this.norms[k].forward(this.upsample[k].forward(input))));
    }
    const input = x;
    return stage(() => {
      const y = reflectConv(this.output, input, 3);
      return clamp(this.activation === 'tanh' ? tanh(y) : sigmoid(y), 0, 1);
    });
  }
}

/** The two images of a pair, each [N, 1, H, W] in [0, 1]: the visible image's Y and the IR. */
export interface FusionPair {
  vis: Tensor;
  ir: Tensor;
}

/** The smallest input: ReflPad1 in the residual blocks needs h = ⌊H/8⌋ ≥ 2 (as in PyTorch). */
export const MIN_INPUT_SIZE = 16;

export function checkPair({ vis, ir }: FusionPair): void {
  const ok = (t: Tensor) => t.rank === 4 && t.shape[1] === 1;
  if (!ok(vis) || !ok(ir) || vis.shape.some((d, i) => d !== ir.shape[i])) {
    throw new FusegradError(`the visible and IR images must both be [N, 1, H, W] of one size, got [${vis.shape}] and [${ir.shape}]`);
  }
  const [, , H, W] = vis.shape;
  if (H < MIN_INPUT_SIZE || W < MIN_INPUT_SIZE) {
    throw new FusegradError(`the images are ${W}×${H}; this model needs at least ${MIN_INPUT_SIZE}×${MIN_INPUT_SIZE} pixels, so upscale them first`);
  }
}

/** The decoder gives 8⌊H/8⌋ + 21 ≥ H rows; the authors keep the top-left H×W (not a centred crop). */
export function cropTopLeft(decoded: Tensor, height: number, width: number): Tensor {
  const [N, C] = decoded.shape;
  return slice(decoded, [0, 0, 0, 0], [N, C, height, width]);
}

/**
 * Fuses two luma planes (row-major, [0, 1]) with one forward pass: no tape, every intermediate
 * freed. Returns the fused Y at the input size.
 */
export async function fuseLumaPlanes(
  forward: (pair: FusionPair) => Tensor, ir: Float32Array, vis: Float32Array, width: number, height: number,
): Promise<Float32Array> {
  if (ir.length !== width * height || vis.length !== width * height) {
    throw new FusegradError(`the IR and visible planes hold ${ir.length} and ${vis.length} values; a ${width}×${height} image needs ${width * height}`);
  }
  const fused = noGrad(() => tidy(() => forward({ vis: tensor(vis, [1, 1, height, width]), ir: tensor(ir, [1, 1, height, width]) })));
  try {
    return await fused.read();
  } finally {
    fused.dispose();
  }
}

export interface LdfusionOptions {
  /** first width of the content and style encoders: 16 (content ends at 8·dim, decoder at 16·dim) */
  dim?: number;
  /** style code per modality: 8 */
  styleDim?: number;
  /** hidden width of the AdaIN MLP: 256 */
  mlpDim?: number;
  seed?: number;
}

/** The four encoders; `Enc` in the authors' code, whose state dict is Enc_final.pt. */
export class LdfusionEncoder extends Module {
  readonly contentVis: ContentEncoder;
  readonly contentIr: ContentEncoder;
  readonly styleVis: StyleEncoder;
  readonly styleIr: StyleEncoder;

  constructor(dim: number, styleDim: number, random: () => number) {
    super();
    this.contentVis = new ContentEncoder(dim, random);
    this.contentIr = new ContentEncoder(dim, random);
    this.styleVis = new StyleEncoder(dim, styleDim, random);
    this.styleIr = new StyleEncoder(dim, styleDim, random);
  }

  protected override children(): Record<string, Module> {
    return { content_encoder1: this.contentVis, content_encoder2: this.contentIr, style_encoder1: this.styleVis, style_encoder2: this.styleIr };
  }

  /** → content [N, 16·dim, h, w] and style [N, 2·styleDim], VIS first in both */
  forward({ vis, ir }: FusionPair): { content: Tensor; style: Tensor } {
    const content = concat([this.contentVis.forward(vis), this.contentIr.forward(ir)], 1);
    const style = concat([this.styleVis.forward(vis), this.styleIr.forward(ir)], 1);
    return { content, style: reshape(style, [style.shape[0], style.shape[1]]) };
  }
}

/** AdaIN residual blocks, upsampling path and the MLP; `Dec` in the authors' code (Dec_final.pt). */
export class LdfusionDecoder extends Module {
  readonly residual: ResidualBlock[];
  readonly up: UpsamplingPath;
  readonly mlp: AdainMlp;
  readonly channels: number;

  constructor(channels: number, styleFeatures: number, mlpDim: number, random: () => number) {
    super();
    this.channels = channels;
    this.residual = [0, 1].map(() => new ResidualBlock(channels, random));
    this.up = new UpsamplingPath(channels, 'tanh', random);
    // 2 values (bias, scale) per channel for each of the 4 AdaIN layers
    this.mlp = new AdainMlp(styleFeatures, mlpDim, 4 * 2 * channels, random);
  }

  protected override children(): Record<string, Module> {
    return { 'model_local.0': this.residual[0], 'model_local.1': this.residual[1], model_up: this.up, mlp: this.mlp };
  }

  /** content [N, C, h, w], style [N, S] → [N, 1, 8h + 21, 8w + 21] */
  forward(content: Tensor, style: Tensor): Tensor {
    const params = this.mlp.forward(style); // [N, 8C]
    const N = params.shape[0];
    const C = this.channels;
    // AdaIN layer k (module order: block 0 norm 0, block 0 norm 1, block 1 …) reads
    // params[:, 2Ck : 2Ck + C] as its bias ("mean") and the next C as its scale ("std")
    const adainLayer = (k: number, x: Tensor) =>
      adain(x, slice(params, [0, 2 * C * k + C], [N, 2 * C * (k + 1)]), slice(params, [0, 2 * C * k], [N, 2 * C * k + C]), 1e-5);
    let x = content;
    this.residual.forEach((layer, r) => {
      x = layer.forward(x, (y, which) => adainLayer(2 * r + which, y));
    });
    return this.up.forward(x);
  }
}

/**
 * The training loss offered here. The authors' loss (CLIP ViT-B/32 similarity and prompt
 * directions, plus VGG-19 features) needs pretrained networks that fusegrad does not have, so this
 * is the common intensity + gradient + structure loss of SeAFusion/TarDAL-style methods:
 *   intensity  mse(f, max(v, i))                       keep the brighter source (IR targets)
 *   gradient   l1(|∇f|, max(|∇v|, |∇i|))               keep the stronger edge (∇: Sobel, replicate border)
 *   ssim       ssimLoss(f, v) + ssimLoss(f, i)          stay structurally close to both
 *   total      intensity·wᵢ + gradient·w_g + ssim·w_s   (1, 10, 1 by default; 10 as SeAFusion weighs its gradient term)
 * The authors also add 0.03·N(0, 1) noise to the encoder inputs while training; callers that want
 * it pass noisy images to the encoders through `noisy`.
 */
export interface FusionLossWeights {
  intensity: number;
  gradient: number;
  ssim: number;
}

export const DEFAULT_LOSS_WEIGHTS: Readonly<FusionLossWeights> = { intensity: 1, gradient: 10, ssim: 1 };

/** The loss and its terms (a type, not an interface, so it is a record of tensors for tidy and the trainer). */
export type FusionLossTerms = {
  total: Tensor;
  intensity: Tensor;
  gradient: Tensor;
  ssim: Tensor;
};

/** The loss above for a fused image f against the clean sources, all [N, 1, H, W]. */
export function fusionLoss(fused: Tensor, { vis, ir }: FusionPair, weights: FusionLossWeights = DEFAULT_LOSS_WEIGHTS): FusionLossTerms {
  const edges = (x: Tensor) => abs(sobel(x, { border: 'replicate' }));
  const intensity = mse(fused, maximum(vis, ir));
  const gradient = l1(edges(fused), maximum(edges(vis), edges(ir)));
  const ssim = add(ssimLoss(fused, vis), ssimLoss(fused, ir));
  const total = add(add(mulScalar(intensity, weights.intensity), mulScalar(gradient, weights.gradient)), mulScalar(ssim, weights.ssim));
  return { total, intensity, gradient, ssim };
}

export class LDFusion extends Module {
  readonly encoder: LdfusionEncoder;
  readonly decoder: LdfusionDecoder;

  constructor(options: LdfusionOptions = {}) {
    super();
    const dim = options.dim ?? 16;
    const styleDim = options.styleDim ?? 8;
    const random = mulberry32(options.seed ?? 0);
    this.encoder = new LdfusionEncoder(dim, styleDim, random);
    this.decoder = new LdfusionDecoder(16 * dim, 2 * styleDim, options.mlpDim ?? 256, random);
  }

  protected override children(): Record<string, Module> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  /** {vis, ir} [N, 1, H, W] in [0, 1] → fused Y [N, 1, H, W] in [0, 1] (differentiable) */
  forward(pair: FusionPair): Tensor {
    checkPair(pair);
    const { content, style } = this.encoder.forward(pair);
    const [, , H, W] = pair.vis.shape;
    return cropTopLeft(this.decoder.forward(content, style), H, W);
  }

  /** Fused Y of two luma planes at the input size, for the pipeline. */
  fuseLuma(ir: Float32Array, vis: Float32Array, width: number, height: number): Promise<Float32Array> {
    return fuseLumaPlanes((pair) => this.forward(pair), ir, vis, width, height);
  }

  /** See fusionLoss; `noisy` (optional) are the encoder inputs, the clean pair is the target. */
  loss(clean: FusionPair, weights: FusionLossWeights = DEFAULT_LOSS_WEIGHTS, noisy: FusionPair = clean): FusionLossTerms {
    return fusionLoss(this.forward(noisy), clean, weights);
  }
}

/** Keys the decoder file holds that the model has no use for: the AdaIN layers' dummy running statistics. */
const isAdainBuffer = (key: string) => /^model_local\.\d+\.block\.[26]\.running_(mean|var)$/.test(key);

/**
 * Loads a state dict into `module` and refuses tensors the module does not know (such a file is
 * not the one it expects); `ignorable` keys are allowed to go unused.
 */
export function loadWeights(
  module: Module, tensors: Map<string, TensorEntry>, fileName: string, ignorable: (key: string) => boolean = () => false,
): void {
  const unknown = module.loadStateDict(tensors, fileName).filter((k) => !ignorable(k));
  if (unknown.length) {
    const shown = unknown.slice(0, 5).map((k) => `'${k}'`).join(', ');
    throw new FusegradError(`${fileName}: holds tensors this model does not have (${shown}${unknown.length > 5 ? ', …' : ''}); is it the weights file for this model?`);
  }
}

/** LDFusion from the bytes of the authors' encoder and decoder state dicts converted to safetensors. */
export function ldfusionFromSafetensors(encoderBytes: Uint8Array, decoderBytes: Uint8Array, encoderName = 'encoder', decoderName = 'decoder'): LDFusion {
  return ldfusionFromTensors(readSafetensors(encoderBytes, encoderName).tensors, readSafetensors(decoderBytes, decoderName).tensors, encoderName, decoderName);
}

/** LDFusion from already-read encoder and decoder state dicts. */
export function ldfusionFromTensors(
  encoderTensors: Map<string, TensorEntry>, decoderTensors: Map<string, TensorEntry>, encoderName: string, decoderName: string,
): LDFusion {
  const model = new LDFusion();
  try {
    loadWeights(model.encoder, encoderTensors, encoderName);
    loadWeights(model.decoder, decoderTensors, decoderName, isAdainBuffer);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

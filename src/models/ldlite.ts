/**
 * LD-Lite (wyhlaowang/LD-Lite): the same authors' pruned LDFusion, with real published weights
 * (../shared/weights/ldfusion/README.md, "LD-Lite"). It is LDFusion's content encoders at half
 * width and its upsampling path, with no style encoders, no MLP and no AdaIN blocks:
 *
 *   VIS-Y ─ content_encoder1 (8 → 16 → 32 → 64) ─┐ concat → [N, 128, h, w]
 *   IR    ─ content_encoder2 (8 → 16 → 32 → 64) ─┘
 *   model_up: 3 × [ConvTranspose 5×5 s2 → LayerNorm → ReLU] 128 → 64 → 32 → 16,
 *             ReflPad3 conv 7×7 16 → 1, sigmoid (not tanh), clamp [0, 1]; top-left crop to H×W.
 *
 * Keys are LDFusion's under `encoder.` and `decoder.` (one file).
 */
import { readSafetensors, type TensorEntry } from '../io/safetensors.ts';
import { Module } from '../nn/module.ts';
import { concat } from '../ops/index.ts';
import { mulberry32 } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import {
  ContentEncoder, DEFAULT_LOSS_WEIGHTS, UpsamplingPath, checkPair, cropTopLeft, fuseLumaPlanes, fusionLoss, loadWeights,
  type FusionLossTerms, type FusionLossWeights, type FusionPair,
} from './ldfusion.ts';

export class LdliteEncoder extends Module {
  readonly contentVis: ContentEncoder;
  readonly contentIr: ContentEncoder;

  constructor(dim: number, random: () => number) {
    super();
    this.contentVis = new ContentEncoder(dim, random);
    this.contentIr = new ContentEncoder(dim, random);
  }

  protected override children(): Record<string, Module> {
    return { content_encoder1: this.contentVis, content_encoder2: this.contentIr };
  }

  /** → [N, 16·dim, h, w], VIS first */
  forward({ vis, ir }: FusionPair): Tensor {
    return concat([this.contentVis.forward(vis), this.contentIr.forward(ir)], 1);
  }
}

export class LdliteDecoder extends Module {
  readonly up: UpsamplingPath;

  constructor(channels: number, random: () => number) {
    super();
    this.up = new UpsamplingPath(channels, 'sigmoid', random);
  }

  protected override children(): Record<string, Module> {
    return { model_up: this.up };
  }

  forward(content: Tensor): Tensor {
    return this.up.forward(content);
  }
}

export interface LdliteOptions {
  /** first width of the content encoders: 8 */
  dim?: number;
  seed?: number;
}

export class LDLite extends Module {
  readonly encoder: LdliteEncoder;
  readonly decoder: LdliteDecoder;

  constructor(options: LdliteOptions = {}) {
    super();
    const dim = options.dim ?? 8;
    const random = mulberry32(options.seed ?? 0);
    this.encoder = new LdliteEncoder(dim, random);
    this.decoder = new LdliteDecoder(16 * dim, random);
  }

  protected override children(): Record<string, Module> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  /** {vis, ir} [N, 1, H, W] in [0, 1] → fused Y [N, 1, H, W] in [0, 1] (differentiable) */
  forward(pair: FusionPair): Tensor {
    checkPair(pair);
    const [, , H, W] = pair.vis.shape;
    return cropTopLeft(this.decoder.forward(this.encoder.forward(pair)), H, W);
  }

  /** Fused Y of two luma planes at the input size, for the pipeline. */
  fuseLuma(ir: Float32Array, vis: Float32Array, width: number, height: number): Promise<Float32Array> {
    return fuseLumaPlanes((pair) => this.forward(pair), ir, vis, width, height);
  }

  /** LDFusion's substitute loss (see fusionLoss in ldfusion.ts). */
  loss(clean: FusionPair, weights: FusionLossWeights = DEFAULT_LOSS_WEIGHTS, noisy: FusionPair = clean): FusionLossTerms {
    return fusionLoss(this.forward(noisy), clean, weights);
  }
}

/** LD-Lite from the bytes of its converted state dict (`weight/final.pt` → safetensors). */
export function ldliteFromSafetensors(bytes: Uint8Array, fileName = 'ld-lite'): LDLite {
  return ldliteFromTensors(readSafetensors(bytes, fileName).tensors, fileName);
}

/** LD-Lite from an already-read state dict. */
export function ldliteFromTensors(tensors: Map<string, TensorEntry>, fileName: string): LDLite {
  const model = new LDLite();
  try {
    loadWeights(model, tensors, fileName);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/**
 * The fusion pipeline, the same in Node and the browser: colour split → model → colour merge.
 * The IR image is fused as grey; the visible image's luma (BT.601/JFIF Y) is fused and its
 * Cb/Cr are put back, resized to the output when the output is larger (super-resolution).
 * INRFuse fits each source on its own grid and renders at any size; the CNNs need aligned
 * inputs, so a smaller source is resampled to the larger one's size (with a warning), and an
 * output size other than the input's is a bilinear resize of the result (with a warning).
 */
import { FusegradError } from '../errors.ts';
import { mergeLuma, splitLuma, toGrey, type YCbCrConvention } from '../io/colour.ts';
import { greyImage, type Image } from '../io/image.ts';
import { resizeBilinear } from '../io/resample.ts';
import type { TensorEntry } from '../io/safetensors.ts';
import type { FusionRule } from '../models/didfuse.ts';
import { runtime } from '../tensor/context.ts';
import { fuseDidfuse } from './cnn.ts';
import { ldfusionFromTensors } from '../models/ldfusion.ts';
import { ldliteFromTensors } from '../models/ldlite.ts';
import { EncDecFusion, encdecFromTensors } from '../models/encdec.ts';
import { fitInrFuse, renderInrFuse, type FitOptions, type FitResult } from './inr.ts';

export type ModelName = 'inr' | 'didfuse' | 'encdec' | 'ldlite' | 'ldfusion';
export const MODELS: readonly ModelName[] = ['inr', 'didfuse', 'encdec', 'ldlite', 'ldfusion'];
/** How many weights files each CNN needs (INRFuse fits each pair and needs none). */
export const WEIGHT_FILES: Readonly<Partial<Record<ModelName, string[]>>> = {
  didfuse: ['DIDFuse'],
  encdec: ['encoder–decoder'],
  ldlite: ['LD-Lite'],
  ldfusion: ['LDFusion encoder', 'LDFusion decoder'],
};
/** LDFusion's authors split and merge colour with OpenCV's YCrCb (their outputs match only with it). */
const COLOUR: Record<ModelName, YCbCrConvention> = { inr: 'jfif', didfuse: 'jfif', encdec: 'jfif', ldlite: 'opencv', ldfusion: 'opencv' };

/** A weights file's tensors and its name (for messages). */
export interface WeightsFile {
  tensors: Map<string, TensorEntry>;
  name: string;
}

export interface FuseOptions extends FitOptions {
  model?: ModelName;
  /** DIDFuse's feature fusion rule */
  rule?: FusionRule;
  /** the model's weights (CNN models) */
  weightFiles?: WeightsFile[];
  /** output size as a multiple of the larger input (INRFuse renders at any size) */
  scale?: number;
  /** explicit output size; wins over scale */
  size?: { width: number; height: number };
  /** progress of a CNN that runs in strips (DIDFuse on a large image) */
  onStrip?: (done: number, total: number, seconds: number) => void;
}

export interface FuseResult {
  image: Image;
  /** the fused luma at the output size, in [0, 1] */
  luma: Float32Array;
  width: number;
  height: number;
  fit?: FitResult;
  /** things the user should know (a resampled input, a resized output) */
  warnings: string[];
  seconds: number;
}

/** The output grid: the larger input (by pixels), times `scale`, unless `size` is given. */
export function outputSize(ir: Image, vis: Image, options: Pick<FuseOptions, 'scale' | 'size'>): { width: number; height: number } {
  if (options.size) return options.size;
  const base = ir.width * ir.height > vis.width * vis.height ? ir : vis;
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new FusegradError(`--scale must be a positive number, got ${scale}`);
  return { width: Math.max(1, Math.round(base.width * scale)), height: Math.max(1, Math.round(base.height * scale)) };
}

export async function fuseImages(ir: Image, vis: Image, options: FuseOptions = {}): Promise<FuseResult> {
  const model = options.model ?? 'inr';
  if (!MODELS.includes(model)) throw new FusegradError(`unknown model '${model}'; available: ${MODELS.join(', ')}`);
  const started = performance.now();
  const { width, height } = outputSize(ir, vis, options);
  const irGrey = ir.channels === 1 ? ir : toGrey(ir);
  const luma = vis.channels === 3 ? splitLuma(vis, COLOUR[model]) : null;
  const visY = luma ? luma.y : vis.data;
  const warnings: string[] = [];
  let fused: Float32Array;
  let fit: FitResult | undefined;
  if (model === 'inr') {
    fit = await fitInrFuse(
      { width: irGrey.width, height: irGrey.height, data: irGrey.data },
      { width: vis.width, height: vis.height, data: visY },
      options,
    );
    try {
      fused = await renderInrFuse(fit.model, width, height);
    } finally {
      fit.model.net.dispose();
    }
  } else {
    fused = await fuseWithCnn(model, irGrey, { width: vis.width, height: vis.height, data: visY }, { width, height }, options, warnings);
  }
  let image: Image = greyImage(width, height, fused);
  if (luma) {
    const resize = (plane: Float32Array) => (vis.width === width && vis.height === height ? plane : resizeBilinear(plane, vis.width, vis.height, width, height));
    image = mergeLuma(fused, resize(luma.cb), resize(luma.cr), width, height, COLOUR[model]);
  }
  return { image, luma: fused, width, height, fit, warnings, seconds: (performance.now() - started) / 1000 };
}

/** The larger source's grid; the other is resampled to it. Output resized to `out` if it differs. */
async function fuseWithCnn(
  model: ModelName, ir: Image, vis: { width: number; height: number; data: Float32Array },
  out: { width: number; height: number }, options: FuseOptions, warnings: string[],
): Promise<Float32Array> {
  const files = options.weightFiles ?? [];
  const needed = WEIGHT_FILES[model] ?? [];
  if (files.length !== needed.length) {
    throw new FusegradError(`--model ${model} needs ${needed.length} weights file${needed.length > 1 ? 's' : ''} (${needed.join(', ')}): --weights FILE${needed.length > 1 ? ' --weights FILE' : ''}`);
  }
  const grid = ir.width * ir.height >= vis.width * vis.height ? ir : vis;
  const align = (plane: { width: number; height: number; data: Float32Array }, what: string) => {
    if (plane.width === grid.width && plane.height === grid.height) return plane.data;
    warnings.push(`${what} image ${plane.width}×${plane.height} resampled to ${grid.width}×${grid.height}: ${model} needs aligned inputs of one size`);
    return resizeBilinear(plane.data, plane.width, plane.height, grid.width, grid.height);
  };
  const irPlane = { width: grid.width, height: grid.height, data: align(ir, 'IR') };
  const visPlane = { width: grid.width, height: grid.height, data: align(vis, 'visible') };
  const fused = await fuseLumaWithCnn(model, irPlane, visPlane, files, options);
  if (out.width === grid.width && out.height === grid.height) return fused;
  warnings.push(`${model} fuses at the input size ${grid.width}×${grid.height}; the result was resized to ${out.width}×${out.height} (only --model inr renders at any size)`);
  return resizeBilinear(fused, grid.width, grid.height, out.width, out.height);
}

/** One CNN on two aligned luma planes in [0, 1] (no colour, no resampling): the fused luma. */
export async function fuseLumaWithCnn(model: ModelName, ir: { width: number; height: number; data: Float32Array }, vis: { data: Float32Array }, files: WeightsFile[], options: FuseOptions): Promise<Float32Array> {
  if (model === 'didfuse') return fuseDidfuse(ir, { ...ir, data: vis.data }, { rule: options.rule, weights: files[0], onStrip: options.onStrip });
  const net = model === 'encdec' ? encdecFromTensors(files[0].tensors, files[0].name)
    : model === 'ldlite' ? ldliteFromTensors(files[0].tensors, files[0].name)
      : ldfusionFromTensors(files[0].tensors, files[1].tensors, files[0].name, files[1].name);
  try {
    // the encoder–decoder's widest full-resolution map has `width` channels, LD's decoders 16 or 32 on (H + 21)×(W + 21)
    if (net instanceof EncDecFusion) checkFitsWhole(model, net.width, ir.width, ir.height, 0);
    else checkFitsWhole(model, model === 'ldfusion' ? 32 : 16, ir.width, ir.height, 21);
    return await net.fuseLuma(ir.data, vis.data, ir.width, ir.height);
  } finally {
    net.dispose();
  }
}

/**
 * LD-Lite and LDFusion normalise over whole images (InstanceNorm, LayerNorm) and the
 * encoder–decoder's receptive field spans the image (five poolings), so unlike DIDFuse they
 * cannot run in tiles: refuse an image whose full-resolution feature map, `channels` planes of
 * (H + margin)×(W + margin), exceeds a buffer binding.
 */
function checkFitsWhole(model: ModelName, channels: number, width: number, height: number, margin: number): void {
  const bytes = channels * (width + margin) * (height + margin) * 4;
  const limit = runtime().limits.maxStorageBufferBindingSize;
  if (bytes > limit) {
    throw new FusegradError(`${width}×${height} is too large for ${model} on this GPU: a ${channels}-channel feature map needs ` +
      `${(bytes / 2 ** 20).toFixed(0)} MiB and a buffer binding holds ${(limit / 2 ** 20).toFixed(0)} MiB; this model sees the whole image at once ` +
      'and cannot run in tiles, so downscale the inputs or use --model didfuse or inr');
  }
}

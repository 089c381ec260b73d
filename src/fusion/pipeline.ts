/**
 * The fusion pipeline, the same in Node and the browser: colour split → model → colour merge.
 * The IR image is fused as grey; the visible image's luma (BT.601/JFIF Y) is fused and its
 * Cb/Cr are put back, resized to the output when the output is larger (super-resolution).
 */
import { FusegradError } from '../errors.ts';
import { mergeLuma, splitLuma, toGrey } from '../io/colour.ts';
import { greyImage, type Image } from '../io/image.ts';
import { resizeBilinear } from '../io/resample.ts';
import { fitInrFuse, renderInrFuse, type FitOptions, type FitResult } from './inr.ts';

export type ModelName = 'inr';
export const MODELS: readonly ModelName[] = ['inr'];

export interface FuseOptions extends FitOptions {
  model?: ModelName;
  /** output size as a multiple of the larger input (INRFuse renders at any size) */
  scale?: number;
  /** explicit output size; wins over scale */
  size?: { width: number; height: number };
}

export interface FuseResult {
  image: Image;
  /** the fused luma at the output size, in [0, 1] */
  luma: Float32Array;
  width: number;
  height: number;
  fit?: FitResult;
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
  const { width, height } = outputSize(ir, vis, options);
  const irGrey = ir.channels === 1 ? ir : toGrey(ir);
  const luma = vis.channels === 3 ? splitLuma(vis) : null;
  const visY = luma ? luma.y : vis.data;
  const fit = await fitInrFuse(
    { width: irGrey.width, height: irGrey.height, data: irGrey.data },
    { width: vis.width, height: vis.height, data: visY },
    options,
  );
  try {
    const fused = await renderInrFuse(fit.model, width, height);
    let image: Image = greyImage(width, height, fused);
    if (luma) {
      const resize = (plane: Float32Array) => (vis.width === width && vis.height === height ? plane : resizeBilinear(plane, vis.width, vis.height, width, height));
      image = mergeLuma(fused, resize(luma.cb), resize(luma.cr), width, height);
    }
    return { image, luma: fused, width, height, fit };
  } finally {
    fit.model.net.dispose();
  }
}

/**
 * The models the page offers, each a thin adapter from the page's controls to the engine's
 * fusion pipeline (src/fusion/pipeline.ts, the code the CLI runs). One entry per model: a new
 * model adds an entry here and, if it has no live preview, simply never calls onPreview.
 */
import { splitLuma, mergeLuma } from '../src/io/colour.ts';
import { greyImage, type Image } from '../src/io/image.ts';
import { resizeBilinear } from '../src/io/resample.ts';
import { fuseImages, type FuseResult, type ModelName } from '../src/fusion/pipeline.ts';
import { renderInrFuse, type FitProgress } from '../src/fusion/inr.ts';

export interface RunSettings {
  steps: number;
  hidden: number;
  seed: number;
  lr?: number;
  scale: number;
  size?: { width: number; height: number };
  previewEvery: number;
}

export interface RunHooks {
  onProgress(progress: FitProgress): void;
  /** a picture of the model as it is now (smaller than the output: it is redrawn often) */
  onPreview(image: Image, progress: FitProgress): void;
  signal: AbortSignal;
}

export interface PageModel {
  id: ModelName;
  label: string;
  /** one line under the model picker */
  summary: string;
  /** iterative models show a loss curve, steps/s and a stop button */
  iterative: boolean;
  fuse(ir: Image, vis: Image, settings: RunSettings, hooks: RunHooks): Promise<FuseResult>;
}

/** The live preview's longest side: renders stay cheap next to a training step. */
const PREVIEW_MAX_SIDE = 192;

/** Renders the fitted field on a grid no larger than PREVIEW_MAX_SIDE, in the visible image's colours. */
function previewRenderer(vis: Image): (render: (w: number, h: number) => Promise<Float32Array>) => Promise<Image> {
  const shrink = Math.min(1, PREVIEW_MAX_SIDE / Math.max(vis.width, vis.height));
  const width = Math.max(1, Math.round(vis.width * shrink));
  const height = Math.max(1, Math.round(vis.height * shrink));
  const chroma = vis.channels === 3 ? splitLuma(vis) : null;
  const fit = (plane: Float32Array) => (shrink === 1 ? plane : resizeBilinear(plane, vis.width, vis.height, width, height));
  const cb = chroma ? fit(chroma.cb) : null;
  const cr = chroma ? fit(chroma.cr) : null;
  return async (render) => {
    const luma = await render(width, height);
    return cb && cr ? mergeLuma(luma, cb, cr, width, height) : greyImage(width, height, luma);
  };
}

const inrFuse: PageModel = {
  id: 'inr',
  label: 'INRFuse (SIREN fitted to the pair)',
  summary: 'Fits a sine network F(x, y) to both images (Sun et al. 2025); renders at any output size.',
  iterative: true,
  async fuse(ir, vis, settings, hooks) {
    const preview = previewRenderer(vis);
    return fuseImages(ir, vis, {
      model: 'inr',
      steps: settings.steps,
      hidden: settings.hidden,
      seed: settings.seed,
      lr: settings.lr,
      scale: settings.scale,
      size: settings.size,
      readEvery: settings.previewEvery,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      onRead: async (model, progress) => {
        if (progress.step === progress.steps) return; // the final image follows at once
        hooks.onPreview(await preview((w, h) => renderInrFuse(model, w, h)), progress);
      },
    });
  },
};

export const PAGE_MODELS: readonly PageModel[] = [inrFuse];

export function findModel(id: string): PageModel | undefined {
  return PAGE_MODELS.find((m) => m.id === id);
}

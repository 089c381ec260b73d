/**
 * The page's settings from its URL, so that a run can be linked to and the browser test can pick
 * a tiny preset: ?sample=1&w=24&h=18&hidden=16&steps=20&seed=0&every=5&autorun=1
 *   sample   load the built-in pair at start (w×h, at least 16×16; default the CLI's 96×72)
 *   model    a model id (default 'inr')
 *   steps, hidden, seed, lr   the fit (defaults: the CLI's sample preset, 200 steps, 64 wide, seed 0)
 *   scale    output size as a multiple of the larger input (1, 2, 3), or size=WxH
 *   every    redraw the live preview (and read the loss) every k steps
 *   autorun  start fusing as soon as the GPU and both images are ready
 * Anything malformed falls back to the default; the form shows what is in effect.
 */
import type { RunSettings } from './models.ts';
/** The run's settings (models.ts) plus what only the page needs. */
export interface PageSettings extends RunSettings {
  sample: boolean;
  sampleWidth: number;
  sampleHeight: number;
  model: string;
  autorun: boolean;
}

export const DEFAULT_SETTINGS: PageSettings = {
  sample: false, sampleWidth: 96, sampleHeight: 72, model: 'inr', steps: 200, hidden: 64, seed: 0,
  scale: 1, previewEvery: 10, autorun: false,
};

function positiveInt(text: string | null, fallback: number, max = 1 << 16, min = 1): number {
  const v = Number(text);
  return text !== null && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

/** makeSamplePair draws nothing useful below 16 pixels a side (and refuses to). */
const SAMPLE_MIN_SIDE = 16;

/** "640x480" or "640×480" → { width, height }; undefined when malformed. */
export function parseSize(text: string | null): { width: number; height: number } | undefined {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(text ?? '');
  if (!m) return undefined;
  const width = Number(m[1]), height = Number(m[2]);
  return width > 0 && height > 0 && width <= 8192 && height <= 8192 ? { width, height } : undefined;
}

export function settingsFromUrl(search: string): PageSettings {
  const q = new URLSearchParams(search);
  const d = DEFAULT_SETTINGS;
  const flag = (name: string) => q.get(name) === '1' || q.get(name) === 'true';
  const lr = Number(q.get('lr'));
  const seed = Number(q.get('seed'));
  return {
    sample: flag('sample'),
    sampleWidth: positiveInt(q.get('w'), d.sampleWidth, 4096, SAMPLE_MIN_SIDE),
    sampleHeight: positiveInt(q.get('h'), d.sampleHeight, 4096, SAMPLE_MIN_SIDE),
    model: q.get('model') ?? d.model,
    steps: positiveInt(q.get('steps'), d.steps, 100_000),
    hidden: positiveInt(q.get('hidden'), d.hidden, 1024),
    seed: q.get('seed') !== null && Number.isInteger(seed) ? seed : d.seed,
    lr: lr > 0 ? lr : undefined,
    scale: [1, 2, 3].includes(Number(q.get('scale'))) ? Number(q.get('scale')) : d.scale,
    size: parseSize(q.get('size')),
    previewEvery: positiveInt(q.get('every'), d.previewEvery, 100_000),
    autorun: flag('autorun'),
  };
}

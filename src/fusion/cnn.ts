/**
 * Running the CNN fusion models on a pair of aligned luma planes. DIDFuse works at full
 * resolution with only local operations (BatchNorm in eval mode is per pixel), so large images
 * run in horizontal strips with a halo of rows on each side and give exactly the untiled
 * result; the strip height keeps the largest feature map under the binding-size limit.
 */
import { FusegradError } from '../errors.ts';
import type { TensorEntry } from '../io/safetensors.ts';
import { DIDFuse, FUSION_RULES, type FusionRule } from '../models/didfuse.ts';
import { noGrad, runtime } from '../tensor/context.ts';
import { tensor } from '../tensor/create.ts';
import { tidy } from '../tensor/scope.ts';

/** A grey plane, row-major, values in [0, 1]. */
export interface LumaPlane {
  width: number;
  height: number;
  data: Float32Array;
}

export interface DidfuseRunOptions {
  rule?: FusionRule;
  /** the state dict (e.g. from readSafetensors) and the file name for messages */
  weights: { tensors: Map<string, TensorEntry>; name: string };
  /** rows per strip; chosen from the binding limit when omitted */
  stripRows?: number;
  /** after each strip of an image that takes more than one: strips done, of how many, seconds so far */
  onStrip?: (done: number, total: number, seconds: number) => void;
}

/** Rows of receptive field on each side: seven 3×3 convolutions. */
const DIDFUSE_HALO = 7;

/** Largest number of rows whose widest feature map (2·width channels: a concat) fits `bytes`. */
function rowsThatFit(bytes: number, channels: number, width: number): number {
  return Math.max(1, Math.floor(bytes / (channels * width * 4)));
}

/** A DIDFuse in eval mode with these weights; the width is read from the first conv's shape. */
export function loadDidfuse(weights: DidfuseRunOptions['weights']): DIDFuse {
  const first = weights.tensors.get('encoder.cov1.cov1.1.weight');
  if (!first) throw new FusegradError(`${weights.name}: not DIDFuse weights (no tensor encoder.cov1.cov1.1.weight)`);
  const model = new DIDFuse({ width: first.shape[0] });
  try {
    const unused = model.loadStateDict(weights.tensors, weights.name);
    const unexpected = unused.filter((k) => !k.endsWith('num_batches_tracked'));
    if (unexpected.length) throw new FusegradError(`${weights.name}: unexpected tensors for DIDFuse: ${unexpected.slice(0, 3).join(', ')}${unexpected.length > 3 ? ', …' : ''}`);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model.train(false);
}

/** Fused luma of two aligned planes with DIDFuse. */
export async function fuseDidfuse(ir: LumaPlane, vis: LumaPlane, options: DidfuseRunOptions): Promise<Float32Array> {
  const { width, height } = ir;
  if (vis.width !== width || vis.height !== height) throw new Error('fuseDidfuse needs aligned planes of one size');
  const rule = options.rule ?? 'sum';
  if (!FUSION_RULES.includes(rule)) throw new FusegradError(`unknown fusion rule '${rule}'; available: ${FUSION_RULES.join(', ')}`);
  if (width < 2 || height < 2) throw new FusegradError(`DIDFuse needs images of at least 2×2 pixels (reflection padding), got ${width}×${height}`);
  const model = loadDidfuse(options.weights);
  const rt = runtime();
  const limit = Math.min(rt.limits.maxStorageBufferBindingSize, rt.limits.maxBufferSize);
  const stripRows = options.stripRows ?? Math.max(1, rowsThatFit(limit, 2 * model.width, width) - 2 * DIDFUSE_HALO);
  const fused = new Float32Array(width * height);
  const strips = Math.ceil(height / stripRows);
  const started = performance.now();
  try {
    for (let top = 0; top < height; top += stripRows) {
      const bottom = Math.min(height, top + stripRows);
      // strip with halo, clipped to the image; the image's own edges keep the model's reflect padding
      const from = Math.max(0, top - DIDFUSE_HALO);
      const to = Math.min(height, bottom + DIDFUSE_HALO);
      const rows = to - from;
      if (rows < 2) throw new FusegradError(`cannot split a ${width}-pixel-wide image into strips that fit the GPU's buffer limit`);
      const out = noGrad(() => tidy(() => {
        const a = tensor(ir.data.subarray(from * width, to * width), [1, 1, rows, width]);
        const b = tensor(vis.data.subarray(from * width, to * width), [1, 1, rows, width]);
        return model.fuse(a, b, rule);
      }));
      const values = await out.read();
      out.dispose();
      fused.set(values.subarray((top - from) * width, (bottom - from) * width), top * width);
      if (strips > 1) options.onStrip?.(Math.ceil(bottom / stripRows), strips, (performance.now() - started) / 1000);
    }
  } finally {
    model.dispose();
  }
  return fused;
}

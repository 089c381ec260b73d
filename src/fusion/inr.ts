/**
 * Fitting INRFuse to one pair, and rendering the fitted field at any size.
 * The loop never reads back per step: the loss is read every `readEvery` steps (for progress,
 * NaN detection and the plateau stop), and taken in one read later, so that reading never
 * drains the GPU's queue (only the first two are awaited at once, for an early ETA); in
 * between, steps are only submitted, and `throttle()` keeps a few steps queued
 * (Runtime.maxInFlight). The first step is recorded and the others replay it
 * (`Runtime.capture`): the step's JavaScript runs once, which is what bounds small fits on a GPU.
 */
import { FusegradError } from '../errors.ts';
import { InrFuse, type InrFuseConfig, type SourceTarget } from '../models/inrfuse.ts';
import { gridCoordinates } from '../models/coords.ts';
import { Adam } from '../optim/adam.ts';
import { clipGradNorm } from '../optim/clip.ts';
import { runtime, noGrad } from '../tensor/context.ts';
import { tensor } from '../tensor/create.ts';
import { keep, tidy } from '../tensor/scope.ts';
import { backward } from '../tensor/autograd.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { ReplayedStep } from '../tensor/replayed-step.ts';

/** A grey image as the fit sees it: values in [0, 1], row-major. */
export interface GreyPlane {
  width: number;
  height: number;
  data: Float32Array;
}

export interface FitProgress {
  step: number;
  steps: number;
  loss: number;
  stepsPerSecond: number;
  etaSeconds: number;
}

export interface FitOptions extends InrFuseConfig {
  steps?: number;
  lr?: number;
  /** read the loss every k steps (progress, NaN check, plateau) */
  readEvery?: number;
  /** stop when the loss has not improved by `plateauTolerance` (relative) over this many reads; 0: never */
  plateauPatience?: number;
  plateauTolerance?: number;
  /** clip the global gradient norm to this (not in the paper; off by default) */
  clipGradNorm?: number;
  /** record the first step and replay it (default); false runs every step's JavaScript */
  capture?: boolean;
  onProgress?: (p: FitProgress) => void;
  /** awaited at every loss read, after onProgress, with the model being fitted (a live preview renders it) */
  onRead?: (model: InrFuse, p: FitProgress) => void | Promise<void>;
  /** stops the fit when the next loss read arrives (a stop button); the result is the model as it is then */
  signal?: AbortSignal;
}

export interface FitResult {
  model: InrFuse;
  /** steps run: after a stop, up to one read interval past the read that stopped it */
  steps: number;
  /** the last loss read (at the last step, unless the fit stopped early) */
  finalLoss: number;
  initialLoss: number;
  seconds: number;
  stoppedEarly: boolean;
  /** every loss read, with the step it is the loss of */
  losses: { step: number; loss: number }[];
}

function toTarget(model: InrFuse, plane: GreyPlane): SourceTarget {
  const pixels = keep(tensor(plane.data.map((v) => 2 * v - 1), [plane.height, plane.width], { label: 'target' }));
  const gradients = keep(noGrad(() => model.gradient(pixels)));
  return { pixels, gradients, height: plane.height, width: plane.width };
}

/** The elementwise larger-magnitude gradient of two same-size sources (for gradientTarget 'max'). */
async function maxMagnitudeGradient(a: Tensor, b: Tensor): Promise<Tensor> {
  const [ga, gb] = [await a.read(), await b.read()];
  const out = ga.map((v, i) => (Math.abs(v) >= Math.abs(gb[i]) ? v : gb[i]));
  return keep(tensor(out, a.shape));
}

/** The SIREN's width: its widest layer. */
const widthOf = (model: InrFuse): number => Math.max(...model.net.layers.map((l) => l.weight.shape[0]));

/**
 * A fit takes every pixel at once, so a layer's activations, [points, width], must fit one
 * buffer binding: refuse before any work, naming a width that fits.
 */
function checkFitsAtOnce(model: InrFuse, points: number, grids: string): void {
  const { maxBufferSize, maxStorageBufferBindingSize } = runtime().limits;
  const limit = Math.min(maxBufferSize, maxStorageBufferBindingSize);
  const width = widthOf(model);
  if (points * width * 4 <= limit) return;
  const fitting = Math.floor(limit / (points * 4) / 16) * 16;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  model.net.dispose();
  throw new FusegradError(`${grids} is too large for an INRFuse fit ${width} wide on this GPU: the fit takes every pixel at once, and ` +
    `a layer's ${points.toLocaleString('en-US')} × ${width} activations need ${mib(points * width * 4)} where a buffer holds ${mib(limit)}; ` +
    `${fitting >= 16 ? `use --hidden ${fitting} or less, smaller inputs,` : 'use smaller inputs'} or --model didfuse (which runs in strips)`);
}

/** A loss copied at a step, arriving later (Tensor.itemLater). */
interface LossRead {
  step: number;
  /** the loss, and when it arrived: about when the GPU finished that step */
  value: Promise<{ loss: number; at: number }>;
}

export async function fitInrFuse(ir: GreyPlane, vis: GreyPlane, options: FitOptions = {}): Promise<FitResult> {
  const rt = runtime();
  const steps = options.steps ?? 500;
  const readEvery = Math.max(1, options.readEvery ?? 10);
  const patience = options.plateauPatience ?? 0;
  const tolerance = options.plateauTolerance ?? 1e-3;
  const model = new InrFuse(options);
  const sameGrid = ir.width === vis.width && ir.height === vis.height;
  if (model.gradientTarget === 'max' && !sameGrid) {
    model.net.dispose();
    throw new FusegradError(`--grad-target max needs IR and visible images of the same size (got ${ir.width}×${ir.height} and ${vis.width}×${vis.height})`);
  }
  checkFitsAtOnce(model, ir.width * ir.height + (sameGrid ? 0 : vis.width * vis.height),
    sameGrid ? `${ir.width}×${ir.height}` : `${ir.width}×${ir.height} + ${vis.width}×${vis.height}`);
  const irTarget = toTarget(model, ir);
  const visTarget = toTarget(model, vis);
  const maxGradient = model.gradientTarget === 'max' ? await maxMagnitudeGradient(irTarget.gradients, visTarget.gradients) : undefined;
  const points = sameGrid
    ? gridCoordinates(ir.height, ir.width)
    : Float32Array.from([...gridCoordinates(ir.height, ir.width), ...gridCoordinates(vis.height, vis.width)]);
  const coords = keep(tensor(points, [points.length / 2, 2], { label: 'coords' }));
  const optimizer = new Adam(model.net.parameters(), { lr: options.lr ?? 1e-3 });
  const losses: { step: number; loss: number }[] = [];
  const started = performance.now();
  let best = Infinity;
  let readsSinceBest = 0;
  let stoppedEarly = false;
  let step = 0;
  let firstArrived: number | undefined; // when the first loss read arrived
  const runStep = (): Tensor => tidy(() => {
    optimizer.zeroGrad();
    const l = model.loss(coords, irTarget, visTarget, sameGrid, maxGradient);
    backward(l);
    if (options.clipGradNorm) clipGradNorm(optimizer.params, options.clipGradNorm);
    optimizer.step();
    return l;
  });
  /** Takes in a loss read: progress, the NaN check, the stop and plateau checks. True: stop here. */
  const settle = async (read: LossRead): Promise<boolean> => {
    const { loss: value, at } = await read.value;
    if (!Number.isFinite(value)) {
      throw new FusegradError(`INRFuse: the loss became ${value} at step ${read.step}; try a lower --lr`, 4);
    }
    losses.push({ step: read.step, loss: value });
    firstArrived ??= at;
    // steps a second: the first step alone at its read, then the steps since that read (by when
    // the reads arrived, not when they are taken in, which is up to `readEvery` steps later)
    const rate = read.step === 1 ? 1000 / (at - started) : (read.step - 1) / ((at - firstArrived) / 1000);
    const progress = { step: read.step, steps, loss: value, stepsPerSecond: rate, etaSeconds: (steps - read.step) / rate };
    options.onProgress?.(progress);
    await options.onRead?.(model, progress);
    if (options.signal?.aborted) return true;
    if (value < best * (1 - tolerance)) {
      best = value;
      readsSinceBest = 0;
    } else if (patience > 0 && ++readsSinceBest >= patience) {
      return true;
    }
    return false;
  };
  // its loss tensor is the recording's, rewritten by every replay
  const replayed = (options.capture ?? true) ? new ReplayedStep(runStep) : null;
  // The loss of a read step is copied as it is submitted and taken in one read later, while
  // the steps in between run: awaiting it at once would drain the GPU's queue at every read.
  let pending: LossRead | null = null;
  try {
    for (step = 1; step <= steps; step++) {
      const loss = replayed ? replayed.run() : runStep();
      const reads = step % readEvery === 0 || step === steps || step <= 2;
      const read = reads ? { step, value: loss.itemLater().then((l) => ({ loss: l, at: performance.now() })) } : null;
      if (!replayed) loss.dispose();
      if (read && step <= 2) {
        // the first two reads are taken at once, so that a slow adapter shows progress after one
        // step and a true ETA after two, not after `readEvery` (CPU emulation, 256 wide, 500×329:
        // 43 s a step); the first step also compiles the kernels, so the rate leaves it out
        if (await settle(read)) {
          stoppedEarly = true;
          break;
        }
      } else if (read) {
        const previous = pending;
        pending = read;
        if (previous && await settle(previous)) {
          stoppedEarly = true;
          break;
        }
      }
      await rt.throttle();
    }
    if (!stoppedEarly && pending) await settle(pending);
    pending = null;
  } finally {
    pending?.value.catch(() => {}); // a read left behind by a stop or an error
    replayed?.dispose();
    optimizer.dispose();
    for (const t of [coords, irTarget.pixels, irTarget.gradients, visTarget.pixels, visTarget.gradients, maxGradient]) t?.dispose();
  }
  model.net.parameters().forEach((p) => { p.grad?.dispose(); p.grad = null; });
  return {
    model,
    steps: Math.min(step, steps),
    finalLoss: losses[losses.length - 1]?.loss ?? NaN,
    initialLoss: losses[0]?.loss ?? NaN,
    seconds: (performance.now() - started) / 1000,
    stoppedEarly,
    losses,
  };
}

/**
 * Renders the fitted field on a width×height grid, in row chunks small enough for the
 * adapter's binding limit (a 256-wide activation of every point must fit one binding).
 * Returns pixels in [0, 1].
 */
export async function renderInrFuse(model: InrFuse, width: number, height: number, maxPointsPerChunk = 1 << 16): Promise<Float32Array> {
  const rt = runtime();
  const hidden = widthOf(model);
  const bindingPoints = Math.floor(rt.limits.maxStorageBufferBindingSize / (4 * hidden));
  const rowsPerChunk = Math.max(1, Math.floor(Math.min(maxPointsPerChunk, bindingPoints) / width));
  if (rowsPerChunk * width > bindingPoints) {
    throw new FusegradError(`render: one row of ${width} pixels does not fit this adapter's binding limit; use a smaller --size`);
  }
  const out = new Float32Array(width * height);
  for (let r0 = 0; r0 < height; r0 += rowsPerChunk) {
    const r1 = Math.min(height, r0 + rowsPerChunk);
    const f = noGrad(() => tidy(() => {
      const coords = tensor(gridCoordinates(height, width, r0, r1), [(r1 - r0) * width, 2]);
      return model.forward(coords);
    }));
    const values = await f.read();
    f.dispose();
    for (let i = 0; i < values.length; i++) out[r0 * width + i] = Math.min(1, Math.max(0, (values[i] + 1) / 2));
  }
  return out;
}

/**
 * The fusegrad page: two images in, a model, a fit on the GPU with a live preview, the result
 * with a compare slider, metrics and a PNG download. Wiring only: decoding, models, the plot,
 * the slider and the metrics each live in their own module next to this one; the fusion itself
 * is the engine's (src/fusion/pipeline.ts), the same code the CLI runs in Node.
 */
import type { FuseResult } from '../src/fusion/pipeline.ts';
import type { FitProgress } from '../src/fusion/inr.ts';
import { FusegradError } from '../src/errors.ts';
import type { Image } from '../src/io/image.ts';
import { makeSamplePair } from '../src/io/sample.ts';
import { outputSize } from '../src/fusion/pipeline.ts';
import { setupCompare } from './compare.ts';
import { startGpu } from './gpu.ts';
import { installHooks, type PageState } from './hooks.ts';
import { decodeImageFile, downloadCanvas, drawImage } from './images.ts';
import { LossPlot } from './loss-plot.ts';
import { fusionMetrics, renderMetricsTable } from './metrics-view.ts';
import { findModel, PAGE_MODELS, type RunSettings } from './models.ts';
import { settingsFromUrl } from './params.ts';

type Slot = 'ir' | 'vis';

function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`page markup: #${id} is missing or not a ${kind.name}`);
  return element;
}

const ui = {
  adapter: byId('adapter', HTMLElement),
  unavailable: byId('gpu-unavailable', HTMLElement),
  unavailableText: byId('gpu-unavailable-text', HTMLElement),
  drop: { ir: byId('drop-ir', HTMLElement), vis: byId('drop-vis', HTMLElement) },
  file: { ir: byId('file-ir', HTMLInputElement), vis: byId('file-vis', HTMLInputElement) },
  thumb: { ir: byId('thumb-ir', HTMLCanvasElement), vis: byId('thumb-vis', HTMLCanvasElement) },
  hint: { ir: byId('hint-ir', HTMLElement), vis: byId('hint-vis', HTMLElement) },
  sample: byId('use-sample', HTMLButtonElement),
  form: byId('settings', HTMLFormElement),
  model: byId('model', HTMLSelectElement),
  modelSummary: byId('model-summary', HTMLElement),
  steps: byId('steps', HTMLInputElement),
  hidden: byId('hidden', HTMLSelectElement),
  scale: byId('scale', HTMLSelectElement),
  customSize: byId('custom-size', HTMLElement),
  outWidth: byId('out-width', HTMLInputElement),
  outHeight: byId('out-height', HTMLInputElement),
  outputSize: byId('output-size', HTMLElement),
  previewEvery: byId('preview-every', HTMLInputElement),
  seed: byId('seed', HTMLInputElement),
  fuse: byId('fuse', HTMLButtonElement),
  stop: byId('stop', HTMLButtonElement),
  progressPanel: byId('progress-panel', HTMLElement),
  preview: byId('preview', HTMLCanvasElement),
  lossPlot: byId('loss-plot', HTMLCanvasElement),
  progress: byId('progress', HTMLProgressElement),
  status: byId('status', HTMLElement),
  results: byId('results', HTMLElement),
  outIr: byId('out-ir', HTMLCanvasElement),
  outVis: byId('out-vis', HTMLCanvasElement),
  outFused: byId('out-fused', HTMLCanvasElement),
  caption: { ir: byId('cap-ir', HTMLElement), vis: byId('cap-vis', HTMLElement), fused: byId('cap-fused', HTMLElement) },
  compare: byId('compare', HTMLElement),
  compareVis: byId('compare-vis', HTMLCanvasElement),
  compareFused: byId('compare-fused', HTMLCanvasElement),
  compareSlider: byId('compare-slider', HTMLInputElement),
  download: byId('download', HTMLButtonElement),
  metrics: byId('metrics', HTMLTableElement),
};

const state: PageState = { phase: 'starting', message: '', adapter: '' };
installHooks(state);
const images: Partial<Record<Slot, Image>> = {};
const lossPlot = new LossPlot(ui.lossPlot);
let gpuReady = false;
let running: AbortController | null = null;

// ---- settings form ----

const initial = settingsFromUrl(location.search);
for (const m of PAGE_MODELS) ui.model.add(new Option(m.label, m.id));
ui.model.value = findModel(initial.model) ? initial.model : PAGE_MODELS[0].id;
ui.steps.value = String(initial.steps);
if (![...ui.hidden.options].some((o) => o.value === String(initial.hidden))) ui.hidden.add(new Option(String(initial.hidden), String(initial.hidden)));
ui.hidden.value = String(initial.hidden);
ui.scale.value = initial.size ? 'custom' : String(initial.scale);
if (initial.size) [ui.outWidth.value, ui.outHeight.value] = [String(initial.size.width), String(initial.size.height)];
ui.previewEvery.value = String(initial.previewEvery);
ui.seed.value = String(initial.seed);

function intValue(input: HTMLInputElement, fallback: number, min = 1): number {
  const v = Number(input.value);
  return Number.isInteger(v) && v >= min ? v : fallback;
}

function readSettings(): RunSettings {
  const custom = ui.scale.value === 'custom';
  const base = images.ir && images.vis ? outputSize(images.ir, images.vis, { scale: 1 }) : { width: 96, height: 72 };
  return {
    steps: intValue(ui.steps, initial.steps),
    hidden: Number(ui.hidden.value),
    seed: Number.isInteger(Number(ui.seed.value)) ? Number(ui.seed.value) : 0,
    lr: initial.lr,
    scale: custom ? 1 : Number(ui.scale.value),
    size: custom ? { width: intValue(ui.outWidth, base.width), height: intValue(ui.outHeight, base.height) } : undefined,
    previewEvery: intValue(ui.previewEvery, initial.previewEvery),
  };
}

function refreshForm(): void {
  const model = findModel(ui.model.value);
  ui.modelSummary.textContent = model?.summary ?? '';
  ui.customSize.hidden = ui.scale.value !== 'custom';
  if (images.ir && images.vis) {
    const size = outputSize(images.ir, images.vis, readSettings());
    ui.outputSize.textContent = `output ${size.width}×${size.height}`;
    if (!ui.outWidth.value) [ui.outWidth.value, ui.outHeight.value] = [String(size.width), String(size.height)];
  }
  ui.fuse.disabled = !gpuReady || !images.ir || !images.vis || running !== null;
  ui.fuse.title = !gpuReady ? 'WebGPU is not available in this browser' : !images.ir || !images.vis ? 'Load both images first' : '';
}

ui.form.addEventListener('input', refreshForm);
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void runFusion();
});
ui.stop.addEventListener('click', () => {
  running?.abort();
  ui.stop.disabled = true;
  setStatus('stopping at the next preview…');
});

// ---- inputs ----

function setImage(slot: Slot, image: Image, name: string): void {
  images[slot] = image;
  drawImage(ui.thumb[slot], image);
  ui.thumb[slot].hidden = false;
  ui.hint[slot].textContent = `${name}: ${image.width}×${image.height}, ${image.channels === 1 ? 'grey' : 'colour'}`;
  ui.outWidth.value = '';
  refreshForm();
}

async function loadFile(slot: Slot, file: File): Promise<void> {
  try {
    setImage(slot, await decodeImageFile(file, file.name), file.name);
  } catch (err) {
    setStatus(err instanceof FusegradError ? err.message : `could not read ${file.name}: ${String(err)}`, true);
    ui.progressPanel.hidden = false;
  }
}

for (const slot of ['ir', 'vis'] as const) {
  const zone = ui.drop[slot];
  ui.file[slot].addEventListener('change', () => {
    const file = ui.file[slot].files?.[0];
    if (file) void loadFile(slot, file);
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) void loadFile(slot, file);
  });
}

function useSample(width = initial.sampleWidth, height = initial.sampleHeight): void {
  const { ir, vis } = makeSamplePair(width, height);
  setImage('ir', ir, 'sample IR');
  setImage('vis', vis, 'sample visible');
}
ui.sample.addEventListener('click', () => useSample());

// ---- fitting ----

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
  state.message = text;
}

function progressText(p: FitProgress): string {
  const eta = p.step < p.steps && Number.isFinite(p.etaSeconds) ? ` · ~${Math.ceil(p.etaSeconds)} s left` : '';
  return `step ${p.step}/${p.steps} · loss ${p.loss.toFixed(5)} · ${p.stepsPerSecond.toFixed(1)} steps/s${eta}`;
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

async function runFusion(): Promise<void> {
  const model = findModel(ui.model.value);
  const { ir, vis } = images;
  if (!model || !ir || !vis || !gpuReady || running) return;
  const settings = readSettings();
  const controller = new AbortController();
  running = controller;
  refreshForm();
  ui.stop.disabled = !model.iterative;
  ui.sample.disabled = true;
  ui.progressPanel.hidden = false;
  ui.progress.value = 0;
  lossPlot.reset(settings.steps);
  state.phase = 'running';
  setStatus(`starting ${model.label}…`);
  let previews = 0;
  try {
    const result: FuseResult = await model.fuse(ir, vis, settings, {
      signal: controller.signal,
      onProgress: (p) => {
        lossPlot.add(p.step, p.loss);
        ui.progress.value = p.step / p.steps;
        if (!controller.signal.aborted) setStatus(progressText(p));
      },
      onPreview: (image) => {
        drawImage(ui.preview, image);
        previews++;
      },
    });
    const fused = result.image;
    drawImage(ui.preview, fused);
    showResult(ir, vis, fused);
    const fit = result.fit;
    const summary = fit
      ? `${fit.stoppedEarly ? 'stopped' : 'done'} after ${fit.steps} steps in ${fit.seconds.toFixed(1)} s · final loss ${fit.finalLoss.toFixed(5)} · ${(fit.steps / fit.seconds).toFixed(1)} steps/s`
      : 'done';
    setStatus(`${summary} · computing metrics…`);
    await nextFrame(); // let the result paint before the (CPU) metrics
    renderMetricsTable(ui.metrics, fusionMetrics(ir, vis, fused));
    setStatus(summary);
    state.run = {
      model: model.id, width: result.width, height: result.height, steps: fit?.steps ?? 0,
      stoppedEarly: fit?.stoppedEarly ?? false, finalLoss: fit?.finalLoss ?? NaN, seconds: fit?.seconds ?? 0, previews,
    };
    state.phase = 'done';
  } catch (err) {
    const message = err instanceof FusegradError ? err.message : `fusion failed: ${err instanceof Error ? err.message : String(err)}`;
    setStatus(message, true);
    state.phase = 'error';
    if (!(err instanceof FusegradError)) console.error(err);
  } finally {
    running = null;
    ui.stop.disabled = true;
    ui.sample.disabled = false;
    refreshForm();
  }
}

function showResult(ir: Image, vis: Image, fused: Image): void {
  drawImage(ui.outIr, ir);
  drawImage(ui.outVis, vis);
  drawImage(ui.outFused, fused);
  ui.caption.ir.textContent = `infrared ${ir.width}×${ir.height}`;
  ui.caption.vis.textContent = `visible ${vis.width}×${vis.height}`;
  ui.caption.fused.textContent = `fused ${fused.width}×${fused.height}`;
  drawImage(ui.compareVis, vis);
  drawImage(ui.compareFused, fused);
  ui.results.hidden = false;
}

setupCompare(ui.compare, ui.compareFused, ui.compareSlider);
ui.download.addEventListener('click', () => {
  downloadCanvas(ui.outFused, 'fused.png').catch((err: unknown) => setStatus(String(err), true));
});

// ---- start ----

async function start(): Promise<void> {
  refreshForm();
  if (initial.sample) useSample();
  const gpu = await startGpu();
  if (gpu.ok) {
    gpuReady = true;
    state.adapter = gpu.adapter;
    ui.adapter.textContent = `GPU: ${gpu.adapter}`;
    state.phase = 'ready';
  } else {
    ui.unavailable.hidden = false;
    ui.unavailableText.textContent = gpu.message;
    ui.adapter.textContent = 'GPU: none (WebGPU unavailable)';
    state.message = gpu.message;
    state.phase = 'unavailable';
  }
  refreshForm();
  if (gpu.ok && initial.autorun) await runFusion();
}

void start();

/**
 * The page (web/) in headless Chromium through playwright-core: the bundle that
 * `npm run build:web` makes, served by `npm run web`'s server on a free port.
 *  - INRFuse on the built-in sample at a tiny preset matches the Node result of the same engine
 *    code (fuseImages, same seed and preset; only float rounding differs), the live preview was
 *    redrawn, the metrics table is filled, and the page fetched nothing but its own files;
 *  - a few engine ops (matmul, unary, reductions, Sobel, the fused sine layer) with their
 *    gradients, run inside the page, against the float64 references run here;
 *  - the stop button ends a long fit early with a result;
 *  - with WebGPU disabled the page says so instead of failing.
 * Without /usr/bin/chromium the file prints a skip line and passes.
 * WebGPU on SwiftShader in headless Chromium needs only --enable-unsafe-webgpu (Linux keeps
 * WebGPU behind it; playwright already passes --enable-unsafe-swiftshader): Chromium then offers
 * SwiftShader as its fallback adapter. Without the flag, or with --disable-webgpu, it offers none.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { init, shutdown } from '../../src/index.ts';
import { fuseImages, type FuseResult } from '../../src/fusion/pipeline.ts';
import { toGrey } from '../../src/io/colour.ts';
import type { Image } from '../../src/io/image.ts';
import { encodePng } from '../../src/io/encode.ts';
import { makeSamplePair } from '../../src/io/sample.ts';
import { computeMetrics, METRIC_NAMES, type MetricName } from '../../src/metrics/index.ts';
import { matmul as refMatmul } from '../../src/reference/matmul.ts';
import * as refReduce from '../../src/reference/reduce.ts';
import { sineLinear as refSineLinear } from '../../src/reference/sine_linear.ts';
import { sobel as refSobel } from '../../src/reference/sobel.ts';
import { mulberry32, randomTensor, type CpuTensor, type RefOp } from '../../src/reference/tensor.ts';
import * as refUnary from '../../src/reference/unary.ts';
import type { OpCheckCase, PageState, TensorData } from '../../web/hooks.ts';
import { assertClose, DEFAULT_TOL, type Tolerance } from '../ops/gpu-check.ts';

// FUSEGRAD_CHROMIUM: another Chromium or Chrome binary (e.g. on a machine without Debian's package).
const CHROMIUM = process.env.FUSEGRAD_CHROMIUM ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = `${root}test/artifacts/page.png`;
// Quiet, offline Chromium (playwright adds most of these itself; stated so they stay). No
// --enable-features=…: Chromium keeps only the last copy of a switch, and playwright passes its own.
const QUIET_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps'];
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', ...QUIET_ARGS];
const NO_WEBGPU_ARGS = ['--disable-webgpu', ...QUIET_ARGS];
const PRESET = { width: 24, height: 18, hidden: 16, steps: 20, seed: 0, every: 5 };
const PRESET_QUERY = `?sample=1&w=${PRESET.width}&h=${PRESET.height}&hidden=${PRESET.hidden}&steps=${PRESET.steps}&seed=${PRESET.seed}&every=${PRESET.every}`;
/** Mean |page − Node| over the fused image's 8-bit RGB values, in levels (of 255). */
const MAX_MEAN_LEVEL_DIFF = 2;

/** 8-bit RGB of an Image, rounded as the page draws it (and as src/io/encode.ts writes PNGs). */
function rgbBytes(image: Image): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i++) {
    const v = image.channels === 3 ? image.data[i] : image.data[Math.floor(i / 3)];
    out[i] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
  }
  return out;
}

function grey255(image: Image): { width: number; height: number; data: Float32Array } {
  const grey = image.channels === 1 ? image : toGrey(image);
  return { width: image.width, height: image.height, data: grey.data.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) };
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['scripts/serve-web.mjs'], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve-web printed no URL in 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (match) { clearTimeout(timer); resolve(match[0]); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve-web exited (${code}):\n${output}`)); });
  });
  return { child, url };
}

function phase(page: Page): Promise<PageState> {
  return page.evaluate(() => window.fusegradPage.state);
}

/** Waits until the page's phase is one of `phases` (the run may take a while on SwiftShader). */
async function waitForPhase(page: Page, phases: PageState['phase'][], timeout = 60_000): Promise<PageState> {
  await page.waitForFunction((wanted) => wanted.includes(window.fusegradPage?.state.phase), phases, { timeout, polling: 100 });
  return phase(page);
}

/** What the page draws in a canvas, as 8-bit RGB. */
async function canvasRgb(page: Page, selector: string): Promise<{ width: number; height: number; rgb: number[] }> {
  return page.$eval(selector, (element) => {
    const canvas = element as HTMLCanvasElement;
    const rgba = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
    return { width: canvas.width, height: canvas.height, rgb: Array.from(rgba).filter((_, i) => i % 4 !== 3) };
  });
}

if (!existsSync(CHROMIUM)) {
  test(`browser page: SKIPPED, ${CHROMIUM} is missing (apt-get install chromium, or run scripts/setup.sh)`, () => {
    console.log(`SKIP test/browser/page.test.ts: ${CHROMIUM} not found; the page was not tested.`);
  });
} else {
  let server: ChildProcess | undefined;
  let origin = '';
  let browser: Browser | undefined;
  let page: Page | undefined;
  let nodeResult: FuseResult | undefined;
  let setupError: unknown;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const sample = makeSamplePair(PRESET.width, PRESET.height);
  // The server is ours; never leave it behind, even when this process dies on an error.
  process.on('exit', () => server?.kill());

  /** The page, after setup; a failed setup fails the first test with its error, the others briefly. */
  let setupErrorShown = false;
  const ready = (): Page => {
    if (setupError) {
      if (setupErrorShown) throw new Error('setup failed (see the first failure)');
      setupErrorShown = true;
      throw setupError;
    }
    if (!page) throw new Error('setup did not open the page');
    return page;
  };

  test.before(async () => {
    try {
      const build = spawnSync(process.execPath, ['scripts/build-web.mjs', '--quiet'], { cwd: root, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`build-web failed (${build.status}):\n${build.stdout}${build.stderr}`);
      // The Node result first, and its device released, so that Chromium gets both cores.
      await init({ quiet: true });
      try {
        nodeResult = await fuseImages(sample.ir, sample.vis, { hidden: PRESET.hidden, steps: PRESET.steps, seed: PRESET.seed });
      } finally {
        shutdown();
      }
      let url: string;
      ({ child: server, url } = await startServer());
      origin = url;
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: WEBGPU_ARGS });
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
      await page.goto(url + PRESET_QUERY + '&autorun=1');
    } catch (err) {
      setupError = err;
    }
  });

  test.after(async () => {
    await browser?.close().catch(() => undefined);
    server?.kill();
  });

  test('the page finds the adapter and fuses the sample like Node does', async () => {
    const p = ready();
    const state = await waitForPhase(p, ['done', 'error', 'unavailable']);
    assert.is(state.phase, 'done', `the page ended in '${state.phase}': ${state.message}`);
    assert.ok(state.adapter.length > 0, 'the adapter is named');
    assert.match(await p.textContent('#adapter') ?? '', state.adapter);
    const run = state.run;
    if (!run || !nodeResult) throw new Error('no run summary');
    assert.equal([run.width, run.height, run.steps], [PRESET.width, PRESET.height, PRESET.steps]);
    assert.ok(run.previews >= 3, `live preview redrawn ${run.previews} times (expected one per ${PRESET.every} steps)`);
    assert.ok(Math.abs(run.finalLoss - (nodeResult.fit?.finalLoss ?? NaN)) < 1e-3 * Math.abs(run.finalLoss),
      `final loss: page ${run.finalLoss}, Node ${nodeResult.fit?.finalLoss}`);

    const shown = await canvasRgb(p, '#out-fused');
    assert.equal([shown.width, shown.height], [nodeResult.width, nodeResult.height]);
    const expected = rgbBytes(nodeResult.image);
    let sum = 0, worst = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(shown.rgb[i] - expected[i]);
      sum += d;
      worst = Math.max(worst, d);
    }
    const mean = sum / expected.length;
    console.log(`  page vs Node fused image: mean |diff| ${mean.toFixed(3)}/255, max ${worst}/255 (${state.adapter})`);
    assert.ok(mean <= MAX_MEAN_LEVEL_DIFF, `mean |page − Node| = ${mean.toFixed(3)} levels > ${MAX_MEAN_LEVEL_DIFF}`);
    // The inputs shown are the sample pair exactly.
    assert.equal((await canvasRgb(p, '#out-ir')).rgb, Array.from(rgbBytes(sample.ir)), 'the IR image shown');
    assert.equal((await canvasRgb(p, '#out-vis')).rgb, Array.from(rgbBytes(sample.vis)), 'the visible image shown');
  });

  test('the metrics table is filled, with the values Node gets', async () => {
    const p = ready();
    if (!nodeResult) throw new Error('no Node result');
    const cells = await p.$$eval('#metrics tbody tr', (rows) => rows.map((r) => [(r as HTMLTableRowElement).dataset.metric ?? '', (r as HTMLTableRowElement).cells[1]?.textContent ?? '']));
    assert.equal(cells.map((c) => c[0]), [...METRIC_NAMES], 'one row per metric, in order');
    const node = computeMetrics(grey255(sample.ir), grey255(sample.vis), grey255(nodeResult.image));
    for (const [name, text] of cells) {
      const want = node[name as MetricName];
      if (Number.isNaN(want)) { assert.is(text, 'nan', `${name}`); continue; }
      const got = Number(text);
      assert.ok(Number.isFinite(got), `${name}: '${text}' is not a number`);
      // Equal up to the table's 4 decimals when the 8-bit images agree; a level here and there
      // (float rounding) moves the histogram metrics a little.
      assert.ok(Math.abs(got - want) <= 0.02 * Math.abs(want) + 0.02, `${name}: page ${got}, Node ${want.toFixed(4)}`);
    }
    assert.ok(await p.isVisible('#download'), 'the download button is shown');
    mkdirSync(`${root}test/artifacts`, { recursive: true });
    await p.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`  screenshot: ${SCREENSHOT}`);
  });

  test('engine ops and their gradients in the page match the float64 references', async () => {
    const p = ready();
    const rng = mulberry32(11);
    const f32 = (t: CpuTensor): CpuTensor => ({ shape: t.shape, data: t.data.map(Math.fround) });
    const wire = (t: CpuTensor): TensorData => ({ data: Array.from(t.data), shape: t.shape });
    type CaseSpec = OpCheckCase extends infer C ? (C extends OpCheckCase ? Omit<C, 'inputs' | 'gradient'> : never) : never;
    type Check = { case: OpCheckCase; forward: CpuTensor; grads: CpuTensor[]; tol: Tolerance };
    const checks: Check[] = [];
    /** One op: inputs rounded to float32 (what the GPU gets), a random output gradient, the references. */
    function add<P>(c: CaseSpec, inputs: CpuTensor[], ref: RefOp<P>, params: P, tol = DEFAULT_TOL): void {
      const xs = inputs.map(f32);
      const forward = ref.forward(xs, params);
      const g = f32(randomTensor(forward.shape, rng));
      const grads = ref.backward(xs, params, g);
      checks.push({ case: { ...c, inputs: xs.map(wire), gradient: Array.from(g.data) } as OpCheckCase, forward, grads, tol });
    }
    add({ op: 'matmul', transB: true }, [randomTensor([5, 7], rng), randomTensor([3, 7], rng)], refMatmul, { transB: true });
    add({ op: 'tanh' }, [randomTensor([33], rng, -3, 3)], refUnary.tanh, undefined);
    add({ op: 'sum', axes: [1] }, [randomTensor([7, 9], rng)], refReduce.sum, { axes: [1] });
    add({ op: 'max', axes: [0] }, [randomTensor([6, 5], rng)], refReduce.max, { axes: [0] });
    add({ op: 'sobel', border: 'replicate', normalise: false }, [randomTensor([9, 11], rng)], refSobel, { border: 'replicate' });
    // sin(30·z): WGSL bounds sin's error to 2^-11 absolute, and ω scales that into the gradients.
    add({ op: 'sineLinear', omega: 30 }, [randomTensor([9, 2], rng), randomTensor([8, 2], rng, -0.05, 0.05), randomTensor([8], rng, -0.1, 0.1)],
      refSineLinear, { omega: 30 }, { rtol: 2e-3, atol: 30 * 2 ** -11 * 3 });

    const results = await p.evaluate((cases) => window.fusegradPage.runOpChecks(cases), checks.map((c) => c.case));
    results.forEach((r, k) => {
      const c = checks[k];
      const label = `${c.case.op} in the page`;
      assert.equal(r.shape, c.forward.shape, `${label}: output shape`);
      assertClose(r.output, c.forward.data, c.forward.shape, c.tol, `${label}: forward`);
      c.grads.forEach((g, i) => assertClose(r.grads[i], g.data, g.shape, c.tol, `${label}: gradient of input ${i}`));
      assert.is(r.leaked, 0, `${label}: tensors leaked`);
    });
    console.log(`  ${results.length} ops checked in the page: ${results.map((r) => r.op).join(', ')}`);
  });

  test('the stop button ends a long fit early, with a result', async () => {
    const p = ready();
    await p.fill('#steps', '100000');
    await p.click('#fuse');
    await p.waitForFunction(() => /^step \d+/.test(window.fusegradPage.state.message), null, { timeout: 30_000 });
    await p.click('#stop');
    const state = await waitForPhase(p, ['done', 'error']);
    assert.is(state.phase, 'done', state.message);
    assert.ok(state.run?.stoppedEarly, 'the run says it stopped early');
    assert.ok((state.run?.steps ?? Infinity) < 1000, `stopped after ${state.run?.steps} steps`);
    assert.match(state.message, /^stopped after \d+ steps/);
  });

  test('images load from the file picker and by drag-and-drop (decoded by the browser)', async () => {
    const p = ready();
    const { ir, vis } = makeSamplePair(32, 20);
    await p.setInputFiles('#file-ir', { name: 'ir.png', mimeType: 'image/png', buffer: Buffer.from(encodePng(ir)) });
    await p.waitForFunction(() => /^ir\.png: 32×20, grey/.test(document.getElementById('hint-ir')?.textContent ?? ''), null, { timeout: 10_000 });
    assert.equal((await canvasRgb(p, '#thumb-ir')).rgb, Array.from(rgbBytes(ir)), 'the picked IR PNG, decoded');
    // A drop event carrying a File, as a drag from the desktop delivers it.
    const dataTransfer = await p.evaluateHandle((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'vis.png', { type: 'image/png' }));
      return transfer;
    }, Array.from(encodePng(vis)));
    await p.dispatchEvent('#drop-vis', 'drop', { dataTransfer });
    await p.waitForFunction(() => /^vis\.png: 32×20, colour/.test(document.getElementById('hint-vis')?.textContent ?? ''), null, { timeout: 10_000 });
    assert.equal((await canvasRgb(p, '#thumb-vis')).rgb, Array.from(rgbBytes(vis)), 'the dropped visible PNG, decoded');
    assert.match(await p.textContent('#output-size') ?? '', 'output 32×20');
    assert.not.ok(await p.isDisabled('#fuse'), 'Fuse is enabled with both images loaded');
  });

  test('the page fetched only its own files, without errors', () => {
    ready();
    const foreign = requests.filter((u) => !u.startsWith(origin));
    assert.equal(foreign, [], `requests outside ${origin}`);
    assert.equal(pageErrors, [], 'errors in the page');
  });

  test('without WebGPU the page says so', async () => {
    ready();
    const plain = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: NO_WEBGPU_ARGS });
    try {
      const p = await plain.newPage();
      await p.goto(origin + PRESET_QUERY + '&autorun=1');
      const state = await waitForPhase(p, ['unavailable', 'ready', 'done', 'error'], 20_000);
      assert.is(state.phase, 'unavailable', `phase '${state.phase}' with ${NO_WEBGPU_ARGS.join(' ')}`);
      assert.ok(await p.isVisible('#gpu-unavailable'), 'the message is shown');
      assert.match(await p.textContent('#gpu-unavailable') ?? '', /WebGPU is not available/);
      assert.match(state.message, /WebGPU/);
      assert.ok(await p.isDisabled('#fuse'), 'Fuse is disabled');
      assert.ok(await p.isVisible('#thumb-ir'), 'the images still load');
    } finally {
      await plain.close();
    }
  });
}

test.run();

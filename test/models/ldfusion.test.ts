/**
 * LDFusion and LD-Lite against the oracle in ../shared/weights/ldfusion (README there):
 *   (a) LD-Lite, real weights, RoadScene FLIR_00006 (329×500): fused Y vs the float64 numpy reference;
 *   (b) LDFusion with the synthetic weights on the same pair: pins the style path, MLP, AdaIN
 *       split, VIS/IR order, tanh and top-left crop;
 *   (c) LD-Lite on ldlite_1 (496×632) vs the authors' own 8-bit output after their colour path;
 *   (d) gradients reach the MLP, the style encoders and the content encoders (small widths, 24×24);
 *   (e) loaders refuse missing and wrong files with a FusegradError.
 * (a)–(c) and (e) skip, with a printed line, when the weights folder is absent. Each case prints
 * its wall time (SwiftShader is slow: these are the numbers to watch).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FusegradError, init, liveTensorCount, runtime, shutdown, tensor, tidy, zeroGrad, type Tensor } from '../../src/index.ts';
import { mergeLuma, splitLuma } from '../../src/io/colour.ts';
import { readImageFile } from '../../src/io/files.ts';
import type { Image } from '../../src/io/image.ts';
import { LDFusion, type FusionPair } from '../../src/models/ldfusion.ts';
import { loadLdfusion, loadLdlite } from '../../src/models/ld_files.ts';

const root = fileURLToPath(new URL('../../../shared/weights/ldfusion/', import.meta.url));
const fixtures = `${root}fixtures/`;
const LDLITE = `${root}ld-lite/model.safetensors`;
const ENCODER_SYNTHETIC = `${root}synthetic/encoder_synthetic.safetensors`;
const DECODER_SYNTHETIC = `${root}synthetic/decoder_synthetic.safetensors`;
const haveWeights = [LDLITE, ENCODER_SYNTHETIC, DECODER_SYNTHETIC, `${fixtures}roadscene_FLIR_00006_ir.png`].every(existsSync);

const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(1);

function skipped(name: string): boolean {
  if (!haveWeights) console.log(`  skip ${name}: ${root} is missing (see ../shared/weights/ldfusion/README.md)`);
  return !haveWeights;
}

/** The authors' inputs: IR read as grey, the VIS luma by OpenCV's float RGB→YCrCb, and its chroma. */
async function readPair(name: string): Promise<{ ir: Image; vis: Image; width: number; height: number }> {
  const ir = await readImageFile(`${fixtures}${name}_ir.png`);
  const vis = await readImageFile(`${fixtures}${name}_vi.png`);
  assert.is(ir.channels, 1, `${name}: the IR fixture is stored as the grey image the network reads`);
  assert.equal([ir.width, ir.height], [vis.width, vis.height], `${name}: IR and VIS sizes`);
  return { ir, vis, width: ir.width, height: ir.height };
}

/** A raw little-endian float32 file (the host is little-endian: checked by safetensors.ts too). */
function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.is(a.length, b.length, 'value count');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The authors' save: uint8(255·clamp(rgb, 0, 1)) in float32, truncated (not rounded). */
const toAuthorsUint8 = (v: number) => Math.trunc(Math.fround(255 * Math.fround(v)));

/** 8-bit RGB samples of an image (a grey image as R = G = B, as the decoder gives R = G = B files). */
function rgbSamples(image: Image, toSample: (v: number) => number): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < 3 * n; i++) out[i] = toSample(image.channels === 3 ? image.data[i] : image.data[Math.floor(i / 3)]);
  return out;
}

function psnr8(a: Uint8Array, b: Uint8Array): { psnr: number; maxAbs: number } {
  let squares = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    squares += d * d;
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  return { psnr: squares === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / squares), maxAbs };
}

test.before(async () => {
  await init({ quiet: true });
});

test.after(() => {
  shutdown();
});

test('(a) LD-Lite reproduces the numpy reference on RoadScene FLIR_00006 (329×500)', async () => {
  if (skipped('(a)')) return;
  const start = performance.now();
  const { ir, vis, width, height } = await readPair('roadscene_FLIR_00006');
  const model = await loadLdlite(LDLITE);
  const live = liveTensorCount();
  const fused = await model.fuseLuma(ir.data, splitLuma(vis, 'opencv').y, width, height);
  assert.is(liveTensorCount(), live, 'fuseLuma leaves no tensors behind');
  model.dispose();
  const error = maxAbsDiff(fused, readF32(`${fixtures}roadscene_FLIR_00006_ldlite_ref.f32`));
  console.log(`  (a) LD-Lite 329×500: max |Δ| ${error.toExponential(2)} vs the reference; ${seconds(start)} s`);
  assert.ok(error <= 1e-3, `max |Δ| ${error} > 1e-3`);
});

test('(b) LDFusion with synthetic weights reproduces the numpy reference on FLIR_00006', async () => {
  if (skipped('(b)')) return;
  const start = performance.now();
  const { ir, vis, width, height } = await readPair('roadscene_FLIR_00006');
  const model = await loadLdfusion(ENCODER_SYNTHETIC, DECODER_SYNTHETIC);
  const live = liveTensorCount();
  const fused = await model.fuseLuma(ir.data, splitLuma(vis, 'opencv').y, width, height);
  assert.is(liveTensorCount(), live, 'fuseLuma leaves no tensors behind');
  model.dispose();
  const error = maxAbsDiff(fused, readF32(`${fixtures}roadscene_FLIR_00006_synthetic_ref.f32`));
  console.log(`  (b) LDFusion (synthetic) 329×500: max |Δ| ${error.toExponential(2)} vs the reference; ${seconds(start)} s`);
  assert.ok(error <= 1e-3, `max |Δ| ${error} > 1e-3`);
});

test('(c) LD-Lite on ldlite_1 (496×632) matches the authors\' 8-bit output after their colour path', async () => {
  if (skipped('(c)')) return;
  const start = performance.now();
  const { ir, vis, width, height } = await readPair('ldlite_1');
  const model = await loadLdlite(LDLITE);
  const luma = splitLuma(vis, 'opencv');
  const fused = await model.fuseLuma(ir.data, luma.y, width, height);
  model.dispose();
  const error = maxAbsDiff(fused, readF32(`${fixtures}ldlite_1_ref.f32`));
  const ours = rgbSamples(mergeLuma(fused, luma.cb, luma.cr, width, height, 'opencv'), toAuthorsUint8);
  const authors = rgbSamples(await readImageFile(`${fixtures}ldlite_1_authors.png`), (v) => Math.round(255 * v));
  const { psnr, maxAbs } = psnr8(ours, authors);
  console.log(`  (c) LD-Lite 496×632: ${psnr.toFixed(2)} dB vs the authors' PNG (max ${maxAbs} levels), max |Δ| ${error.toExponential(2)} vs the reference Y; ${seconds(start)} s`);
  assert.ok(psnr >= 45, `PSNR ${psnr} dB < 45`);
});

/** A fixed loss of the fused image (the substitute training loss), read back as a number. */
async function lossAt(model: LDFusion, pair: FusionPair): Promise<number> {
  const loss = tidy(() => model.loss(pair).total);
  try {
    return await loss.item();
  } finally {
    loss.dispose();
  }
}

async function largestEntry(t: Tensor): Promise<{ index: number; value: number }> {
  const values = await t.read();
  let index = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]) > Math.abs(values[index])) index = i;
  return { index, value: values[index] };
}

test('(d) LDFusion is differentiable: gradients reach the MLP, the style and the content encoders', async () => {
  const start = performance.now();
  const size = 24;
  // small widths (content 4 → 32, decoder 64, MLP 32) keep this fast; the classes are the full model's
  const model = new LDFusion({ dim: 4, styleDim: 4, mlpDim: 32, seed: 7 });
  let seed = 1;
  const image = (f: (x: number, y: number) => number) =>
    tensor(Float32Array.from({ length: size * size }, (_, i) => f(i % size, Math.floor(i / size))), [1, 1, size, size]);
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const pair: FusionPair = {
    vis: image((x, y) => 0.5 + 0.4 * Math.sin(x / 3) * Math.cos(y / 4) + 0.05 * random()),
    ir: image((x, y) => ((x - 12) ** 2 + (y - 8) ** 2 < 30 ? 0.9 : 0.2) + 0.05 * random()),
  };
  const mlpWeight = model.decoder.mlp.layers[2].weight;
  const watched = { mlpWeight, styleConv: model.encoder.styleIr.downsample[1].weight, contentConv: model.encoder.contentVis.residual[0].convA.weight };

  const live = liveTensorCount();
  tidy(() => model.loss(pair).total.backward());
  for (const [name, weight] of Object.entries(watched)) {
    assert.ok(weight.grad, `${name} has a gradient`);
    const values = await weight.grad.read();
    assert.ok(values.every(Number.isFinite), `${name}: the gradient is finite`);
    assert.ok(values.some((v) => v !== 0), `${name}: the gradient is not all zero`);
  }

  // central difference on the MLP weight element with the largest gradient, in float32
  const { index, value: analytic } = await largestEntry(mlpWeight.grad as Tensor);
  zeroGrad(model.parameters());
  const weights = await mlpWeight.read();
  const h = 1e-2;
  const lossWith = async (w: number) => {
    const changed = weights.slice();
    changed[index] = w;
    runtime().write(mlpWeight.buffer, changed);
    return lossAt(model, pair);
  };
  const numeric = ((await lossWith(weights[index] + h)) - (await lossWith(weights[index] - h))) / (2 * h);
  runtime().write(mlpWeight.buffer, weights);
  const relative = Math.abs(numeric - analytic) / Math.abs(analytic);
  console.log(`  (d) dL/dw at mlp.model.4.weight[${index}]: analytic ${analytic.toExponential(4)}, central difference ${numeric.toExponential(4)} (rel. ${relative.toExponential(1)}); ${seconds(start)} s`);
  assert.ok(relative < 0.05, `analytic ${analytic} vs central difference ${numeric}`);

  for (const t of Object.values(pair)) t.dispose();
  assert.is(liveTensorCount(), live - 2, 'no tensors left behind but the model\'s (and its gradients)');
  model.dispose();
});

test('(e) the loaders refuse a missing or a wrong weights file with a FusegradError', async () => {
  if (skipped('(e)')) return;
  const start = performance.now();
  const refuses = async (load: () => Promise<unknown>, pattern: RegExp) => {
    try {
      await load();
    } catch (err) {
      assert.instance(err, FusegradError);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable('the load should have failed');
  };
  await refuses(() => loadLdlite(`${root}ld-lite/absent.safetensors`), /no such file/);
  await refuses(() => loadLdfusion(DECODER_SYNTHETIC, ENCODER_SYNTHETIC), /has no tensor 'content_encoder1\.model\.1\.weight'/);
  await refuses(() => loadLdlite(ENCODER_SYNTHETIC), /has no tensor 'encoder\./);
  await refuses(() => loadLdfusion(ENCODER_SYNTHETIC, `${fixtures}ldlite_1_ref.json`), /not a valid safetensors|truncated/);
  console.log(`  (e) loader errors; ${seconds(start)} s`);
});

test.run();

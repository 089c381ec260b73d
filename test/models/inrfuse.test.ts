/**
 * INRFuse end to end on the built-in sample at 32×32: the fit converges, the fused image keeps
 * the IR hot spots and the visible edges, and the field renders at any size consistently.
 * The SIREN here is 64 wide (the paper's is 256) so that the test runs in seconds on SwiftShader;
 * width is a parameter of the same code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, shutdown } from '../../src/index.ts';
import { splitLuma } from '../../src/io/colour.ts';
import { makeSamplePair } from '../../src/io/sample.ts';
import { fitInrFuse, renderInrFuse, type FitResult } from '../../src/fusion/inr.ts';
import { outputSize } from '../../src/fusion/pipeline.ts';
import type { Image } from '../../src/io/image.ts';
import { sobel as referenceSobel } from '../../src/reference/sobel.ts';
import { cpuTensor } from '../../src/reference/tensor.ts';

const W = 32;
const H = 32;
const { ir, vis, hotSpots } = makeSamplePair(W, H);
const visY = splitLuma(vis).y;
// the loss's ∇: INRFuse's default Sobel (unnormalised, replicate border)
const SOBEL = { border: 'replicate', normalise: false } as const;

/** Sobel gradient energy Σ(gx² + gy²) of an image in [0, 1], with the loss's operator. */
function gradientEnergy(image: Float32Array): number {
  const g = referenceSobel.forward([cpuTensor([H, W], image)], SOBEL);
  return g.data.reduce((s, v) => s + v * v, 0);
}

/**
 * A lower bound of the paper's loss for this pair, worked out per pixel in float64: for the
 * intensities, (a − F)² + (b − F)² ≥ (a − b)²/2; for each gradient component g of F, the three
 * gradient terms together are at least min over g of (a − g)² + (b − g)² + λ|g|, whose
 * minimiser is the soft-thresholded mean m = (a + b)/2: g* = sign(m)·max(|m| − λ/4, 0).
 * The sources disagree, so the loss cannot fall to 0: convergence is judged on the part above.
 */
function lossLowerBound(lambda = 1): number {
  const a = ir.data.map((v) => 2 * v - 1);
  const b = visY.map((v) => 2 * v - 1);
  let intensity = 0;
  for (let i = 0; i < a.length; i++) intensity += (a[i] - b[i]) ** 2 / 2;
  const ga = referenceSobel.forward([cpuTensor([H, W], a)], SOBEL).data;
  const gb = referenceSobel.forward([cpuTensor([H, W], b)], SOBEL).data;
  let gradient = 0;
  for (let i = 0; i < ga.length; i++) {
    const m = (ga[i] + gb[i]) / 2;
    const g = Math.sign(m) * Math.max(Math.abs(m) - lambda / 4, 0);
    gradient += (ga[i] - g) ** 2 + (gb[i] - g) ** 2 + lambda * Math.abs(g);
  }
  return intensity / a.length + gradient / ga.length;
}

let paperFit: FitResult;
let maxFit: FitResult;

test.before(async () => {
  await init({ quiet: true });
  const planes = [{ width: W, height: H, data: ir.data }, { width: W, height: H, data: visY }] as const;
  paperFit = await fitInrFuse(planes[0], planes[1], { hidden: 64, steps: 150, readEvery: 25, seed: 1 });
  maxFit = await fitInrFuse(planes[0], planes[1], { hidden: 64, steps: 150, readEvery: 25, seed: 1, gradientTarget: 'max' });
});

test.after(() => {
  paperFit?.model.net.dispose();
  maxFit?.model.net.dispose();
  shutdown();
});

test('the paper loss converges: the part above its lower bound falls ≥ 10×', () => {
  const floor = lossLowerBound();
  const reducibleStart = paperFit.initialLoss - floor;
  const reducibleEnd = paperFit.finalLoss - floor;
  console.log(`  loss ${paperFit.initialLoss.toFixed(4)} → ${paperFit.finalLoss.toFixed(4)} (lower bound ${floor.toFixed(4)}), ${paperFit.seconds.toFixed(1)} s`);
  assert.ok(floor > 0 && reducibleEnd > -1e-6, 'the bound is a bound');
  assert.ok(reducibleStart / reducibleEnd >= 10, `reducible loss fell only ${(reducibleStart / reducibleEnd).toFixed(1)}×`);
});

test('the fused image keeps the IR hot spots (brighter than VIS there)', async () => {
  const fused = await renderInrFuse(paperFit.model, W, H);
  for (const box of hotSpots) {
    let f = 0;
    let v = 0;
    let n = 0;
    for (let r = box.y; r < Math.min(H, box.y + box.h); r++) {
      for (let c = box.x; c < Math.min(W, box.x + box.w); c++) {
        f += fused[r * W + c];
        v += visY[r * W + c];
        n++;
      }
    }
    assert.ok(f / n > v / n + 0.1, `hot spot ${JSON.stringify(box)}: fused ${(f / n).toFixed(3)} vs VIS ${(v / n).toFixed(3)}`);
  }
});

test('visible edges: with the max-gradient target the fused image keeps ≥ 80% of VIS gradient energy', async () => {
  const fused = await renderInrFuse(maxFit.model, W, H);
  const ratio = gradientEnergy(fused) / gradientEnergy(visY);
  const paperRatio = gradientEnergy(await renderInrFuse(paperFit.model, W, H)) / gradientEnergy(visY);
  console.log(`  gradient energy vs VIS: 'max' target ${ratio.toFixed(2)}, paper loss ${paperRatio.toFixed(2)}`);
  assert.ok(ratio >= 0.8, `only ${(100 * ratio).toFixed(0)}% of the visible gradient energy`);
  // The paper's loss pulls ∇F to the average of the sources' gradients: less than 'max' keeps.
  assert.ok(paperRatio < ratio);
});

test('renders at any size: a ×2 grid agrees with the ×1 grid at the shared points', async () => {
  const once = await renderInrFuse(paperFit.model, W, H);
  // linspace grids of W and 2W−1 points share every other point exactly
  const W2 = 2 * W - 1;
  const H2 = 2 * H - 1;
  const twice = await renderInrFuse(paperFit.model, W2, H2, 500); // small chunks: exercises row tiling
  assert.is(twice.length, W2 * H2);
  let worst = 0;
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) worst = Math.max(worst, Math.abs(once[r * W + c] - twice[2 * r * W2 + 2 * c]));
  assert.ok(worst < 1e-4, `max difference ${worst}`);
});

test('--scale 2 renders 64×64 from 32×32 sources; that grid shares its corners with the ×1 grid, and agrees there', async () => {
  const plane: Image = { width: W, height: H, channels: 1, data: new Float32Array(W * H) };
  const size = outputSize(plane, plane, { scale: 2 });
  assert.equal(size, { width: 64, height: 64 });
  const once = await renderInrFuse(paperFit.model, W, H);
  const twice = await renderInrFuse(paperFit.model, size.width, size.height);
  assert.is(twice.length, 64 * 64);
  // linspace(−1, 1, 32) and linspace(−1, 1, 64) meet only at ±1 (31 and 63 are coprime)
  for (const [r, c, r2, c2] of [[0, 0, 0, 0], [0, W - 1, 0, 63], [H - 1, 0, 63, 0], [H - 1, W - 1, 63, 63]]) {
    assert.ok(Math.abs(once[r * W + c] - twice[r2 * 64 + c2]) < 1e-4, `corner (${r}, ${c}): ${once[r * W + c]} vs ${twice[r2 * 64 + c2]}`);
  }
});

test.run();

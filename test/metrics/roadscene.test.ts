// The metrics on real RoadScene pairs, fused by plain averaging, checked against the ranges that
// published IR/VIS fusion tables report. Skips (with a printed line) when the data is absent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { METRIC_NAMES, computeMetrics, formatSummary, formatTable, summarise } from '../../src/metrics/index.ts';
import type { GreyImage, MetricName } from '../../src/metrics/index.ts';

const root = fileURLToPath(new URL('../../../shared/data/roadscene/', import.meta.url));

/** Decodes a JPEG (jpeg-js gives RGB even for grey files) and converts with 0.299 R + 0.587 G + 0.114 B. */
function readGrey(path: string): GreyImage {
  const img = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: false });
  const n = img.width * img.height;
  const ch = img.data.length / n;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = ch === 1 ? img.data[i] : 0.299 * img.data[ch * i] + 0.587 * img.data[ch * i + 1] + 0.114 * img.data[ch * i + 2];
  }
  return { width: img.width, height: img.height, data };
}

/**
 * Plausible ranges for the mean over images, from published IR/VIS tables (TNO, RoadScene;
 * VIFB, U2Fusion, SeAFusion, CDDFuse and similar) widened for a plain average, which is blurrier
 * and lower in contrast than learned methods but maximally close to both sources.
 */
const RANGES: Record<MetricName, [number, number, string]> = {
  EN: [6, 7.8, 'tables report 6.3-7.5 bits'],
  SD: [20, 60, 'tables report 25-55 (8-bit units); averaging lowers contrast'],
  SF: [4, 20, 'tables report 5-17'],
  AG: [2, 8, 'tables report 2.5-6'],
  EI: [20, 80, 'VIFB tables report 25-65, about ten times AG'],
  MI: [1, 6, 'sum of two terms in bits; tables report 1.5-4'],
  CE: [0.1, 3, 'VIFB tables report 0.5-2.5 (its KL-style CE, averaged over sources)'],
  CC: [0.3, 0.9, 'tables report 0.45-0.75 (mean of two correlations)'],
  SCD: [0.8, 2, 'tables report 1.2-1.8; averaging keeps both sources and scores high'],
  PSNR: [10, 30, 'textbook MSE (not VIFB\'s ~60 dB scale); IR and VIS differ by 50-100 grey levels RMS, halved by averaging'],
  RMSE: [8, 80, 'the same MSE: 255 * 10^(-PSNR/20) for PSNR 30-10 dB'],
  SSIM: [0.5, 1, 'mean of the two SSIMs; tables report 0.6-0.75 (or twice that as a sum)'],
  'MS-SSIM': [0.4, 1, 'mean of per-source MS-SSIM; the 0.85-0.93 in DenseFuse-style tables is a different, MEF-SSIM-like sequence metric'],
  VIF: [0.3, 1.2, 'sum of two vifp terms; tables report 0.4-1.0'],
  VIFF: [0.15, 0.8, 'Han et al. VIFF; tables report 0.25-0.6'],
  Qabf: [0.2, 0.7, 'tables report 0.35-0.65; averaging blurs edges, so the low end'],
};

test('RoadScene: first 5 pairs fused by average, metric means in published ranges', () => {
  if (!existsSync(root + 'ir') || !existsSync(root + 'vi')) {
    console.log(`SKIP roadscene metrics: no data at ${root}`);
    return;
  }
  const names = readdirSync(root + 'ir').filter((n) => n.endsWith('.jpg')).sort().slice(0, 5);
  assert.is(names.length, 5);
  const rows = names.map((name) => {
    const ir = readGrey(root + 'ir/' + name), vis = readGrey(root + 'vi/' + name);
    const f = new Float64Array(ir.data.length);
    for (let i = 0; i < f.length; i++) f[i] = Math.round((ir.data[i] + vis.data[i]) / 2);
    return { name, metrics: computeMetrics(ir, vis, { width: ir.width, height: ir.height, data: f }) };
  });
  console.log('\n' + formatTable(rows));
  const { mean } = summarise(rows.map((r) => r.metrics));
  console.log(formatSummary(mean));
  for (const name of METRIC_NAMES) {
    const [lo, hi, why] = RANGES[name];
    assert.ok(mean[name] >= lo && mean[name] <= hi, `${name} mean ${mean[name]} outside [${lo}, ${hi}] (${why})`);
  }
});

test.run();

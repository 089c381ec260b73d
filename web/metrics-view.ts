/**
 * The metrics table under the results: computeMetrics (src/metrics/) on the 0–255 grey versions
 * of IR, visible and fused, as the CLI does. The metrics need one grid: when the output was
 * super-resolved (or the inputs differ in size), images are resized bilinearly to the larger
 * input's grid first, and the note says which.
 */
import { toGrey } from '../src/io/colour.ts';
import type { Image } from '../src/io/image.ts';
import { resizeBilinear } from '../src/io/resample.ts';
import { computeMetrics, LOWER_IS_BETTER, METRIC_NAMES, type GreyImage, type MetricName } from '../src/metrics/index.ts';

const DESCRIPTIONS: Record<MetricName, string> = {
  EN: 'entropy', SD: 'standard deviation', SF: 'spatial frequency', AG: 'average gradient', EI: 'edge intensity',
  MI: 'mutual information', CE: 'cross entropy', CC: 'correlation coefficient', SCD: 'sum of correlations of differences',
  PSNR: 'peak signal-to-noise ratio', RMSE: 'root mean squared error', SSIM: 'structural similarity',
  'MS-SSIM': 'multi-scale SSIM', VIF: 'visual information fidelity', VIFF: 'VIF for fusion', Qabf: 'edge preservation (Qab/f)',
};

function greyOnGrid(image: Image, width: number, height: number): GreyImage {
  const grey = image.channels === 1 ? image.data : toGrey(image).data;
  const plane = image.width === width && image.height === height ? grey : resizeBilinear(grey, image.width, image.height, width, height);
  return { width, height, data: plane.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) };
}

export interface MetricsOutcome {
  metrics: Record<MetricName, number>;
  note: string;
}

export function fusionMetrics(ir: Image, vis: Image, fused: Image): MetricsOutcome {
  const base = ir.width * ir.height >= vis.width * vis.height ? ir : vis;
  const { width, height } = base;
  const resized = ([['IR', ir], ['visible', vis], ['fused', fused]] as const)
    .filter(([, im]) => im.width !== width || im.height !== height)
    .map(([name, im]) => `${name} (${im.width}×${im.height})`);
  const metrics = computeMetrics(greyOnGrid(ir, width, height), greyOnGrid(vis, width, height), greyOnGrid(fused, width, height));
  const note = resized.length
    ? `On a ${width}×${height} grid: ${resized.join(', ')} resized bilinearly for the metrics.`
    : `On the ${width}×${height} grid of the inputs (grey, 0–255).`;
  return { metrics, note };
}

function cellText(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return v.toFixed(4);
}

export function renderMetricsTable(table: HTMLTableElement, outcome: MetricsOutcome): void {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const text of ['metric', 'value', '']) head.appendChild(document.createElement('th')).textContent = text;
  const body = table.createTBody();
  for (const name of METRIC_NAMES) {
    const row = body.insertRow();
    row.dataset.metric = name;
    const label = row.insertCell();
    label.textContent = name;
    label.title = DESCRIPTIONS[name];
    const value = row.insertCell();
    value.textContent = cellText(outcome.metrics[name]);
    value.className = 'number';
    row.insertCell().textContent = LOWER_IS_BETTER.has(name) ? '↓ better' : '↑ better';
  }
  table.caption?.remove();
  table.createCaption().textContent = outcome.note;
}

import type { MetricName } from './names.ts';
import { METRIC_NAMES } from './names.ts';
import { summarise } from './summary.ts';

export interface MetricRow {
  name: string;
  metrics: Record<MetricName, number>;
}

/** Fixed 4 decimals; inf / -inf / nan spelled out so columns stay aligned. */
function cell(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v.toFixed(4);
}

/**
 * A fixed-width text table: a header, one row per image, a rule, then `mean` and `std`
 * (population std, see summarise). Names are left-aligned, numbers right-aligned.
 */
export function formatTable(rows: MetricRow[]): string {
  const { mean, std } = summarise(rows.map((r) => r.metrics));
  const body: string[][] = rows.map((r) => [r.name, ...METRIC_NAMES.map((m) => cell(r.metrics[m]))]);
  const tail: string[][] = [
    ['mean', ...METRIC_NAMES.map((m) => cell(mean[m]))],
    ['std', ...METRIC_NAMES.map((m) => cell(std[m]))],
  ];
  const header = ['image', ...METRIC_NAMES];
  const all = [header, ...body, ...tail];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    r.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  ');
  const rule = '-'.repeat(widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1));
  return [line(header), rule, ...body.map(line), rule, ...tail.map(line)].join('\n');
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV: header `name,EN,SD,...`, one line per image, full float64 precision (String(v): Infinity,
 * NaN as JavaScript writes them). `summary: true` appends `mean` and `std` lines.
 */
export function toCsv(rows: MetricRow[], options: { summary?: boolean } = {}): string {
  const lines = [['name', ...METRIC_NAMES].join(',')];
  for (const r of rows) lines.push([csvField(r.name), ...METRIC_NAMES.map((m) => String(r.metrics[m]))].join(','));
  if (options.summary) {
    const { mean, std } = summarise(rows.map((r) => r.metrics));
    lines.push(['mean', ...METRIC_NAMES.map((m) => String(mean[m]))].join(','));
    lines.push(['std', ...METRIC_NAMES.map((m) => String(std[m]))].join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * JSON: { metrics: [names in order], rows: [{ name, metrics }], mean, std }, indented 2.
 * JSON has no Infinity or NaN: such values (PSNR of an exact copy) are written as null.
 */
export function toJson(rows: MetricRow[]): string {
  const { mean, std } = summarise(rows.map((r) => r.metrics));
  return JSON.stringify({ metrics: METRIC_NAMES, rows, mean, std }, null, 2);
}

/** The headline numbers on one line, as papers quote them, e.g. `EN 7.12  SD 41.3  SF 12.8  MI 2.91  VIF 0.71  SSIM 0.71  Qabf 0.52`. Missing metrics are left out. */
export function formatSummary(m: Partial<Record<MetricName, number>>): string {
  const parts: [MetricName, number][] = [['EN', 2], ['SD', 1], ['SF', 1], ['MI', 2], ['VIF', 2], ['SSIM', 2], ['Qabf', 2]];
  return parts
    .filter(([name]) => m[name] !== undefined)
    .map(([name, digits]) => {
      const v = m[name] as number;
      return `${name} ${Number.isFinite(v) ? v.toFixed(digits) : cell(v)}`;
    })
    .join('  ');
}

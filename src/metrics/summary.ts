import type { MetricName } from './names.ts';
import { METRIC_NAMES } from './names.ts';

/**
 * Per-metric mean and standard deviation over images. The std divides by n (population, as
 * numpy's default); one row gives std 0, no rows give NaN. A metric that is Infinity in some row
 * (PSNR of an exact copy) has mean Infinity and std NaN.
 */
export function summarise(rows: Record<MetricName, number>[]): {
  mean: Record<MetricName, number>;
  std: Record<MetricName, number>;
} {
  const mean = {} as Record<MetricName, number>;
  const std = {} as Record<MetricName, number>;
  const n = rows.length;
  for (const name of METRIC_NAMES) {
    let s = 0;
    for (const r of rows) s += r[name];
    const m = s / n;
    let v = 0;
    for (const r of rows) v += (r[name] - m) ** 2;
    mean[name] = m;
    std[name] = Math.sqrt(v / n);
  }
  return { mean, std };
}

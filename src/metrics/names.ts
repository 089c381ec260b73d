/** Table order: no-reference metrics of F first, then those comparing F with the sources. */
export const METRIC_NAMES = [
  'EN', 'SD', 'SF', 'AG', 'EI', 'MI', 'CE', 'CC', 'SCD',
  'PSNR', 'RMSE', 'SSIM', 'MS-SSIM', 'VIF', 'VIFF', 'Qabf',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** Lower is better for these two; higher is better for all the others. */
export const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set<MetricName>(['CE', 'RMSE']);

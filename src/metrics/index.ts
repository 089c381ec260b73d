/**
 * The standard image-fusion quality metrics (float64, CPU), computed for one (IR, VIS, fused)
 * triple. Each metric's exact definition sits beside its function; VIFB's MATLAB code
 * (Zhang et al., CVPR-W 2020) is followed where it has the metric, with differences stated.
 */
import type { GreyImage } from './image.ts';
import { asFloat64, assertSameSize } from './image.ts';
import { entropy } from './entropy.ts';
import { standardDeviation } from './statistics.ts';
import { averageGradient, spatialFrequency } from './gradient.ts';
import { edgeIntensity } from './sobel.ts';
import { fusionCrossEntropy, fusionMutualInformation } from './information.ts';
import { fusionCorrelation, sumOfCorrelationsOfDifferences } from './correlation.ts';
import { fusionPsnr, fusionRmse } from './error.ts';
import { fusionMsSsim, fusionSsim } from './ssim.ts';
import { fusionVif, viff } from './vif.ts';
import { qabf } from './qabf.ts';
import type { MetricName } from './names.ts';
import { METRIC_NAMES } from './names.ts';

type Metric = (ir: GreyImage, vis: GreyImage, fused: GreyImage) => number;

const METRICS: Record<MetricName, Metric> = {
  EN: (_i, _v, f) => entropy(f),
  SD: (_i, _v, f) => standardDeviation(f),
  SF: (_i, _v, f) => spatialFrequency(f),
  AG: (_i, _v, f) => averageGradient(f),
  EI: (_i, _v, f) => edgeIntensity(f),
  MI: fusionMutualInformation,
  CE: fusionCrossEntropy,
  CC: fusionCorrelation,
  SCD: sumOfCorrelationsOfDifferences,
  PSNR: fusionPsnr,
  RMSE: fusionRmse,
  SSIM: fusionSsim,
  'MS-SSIM': fusionMsSsim,
  VIF: fusionVif,
  VIFF: viff,
  Qabf: qabf,
};

/** Every metric of METRIC_NAMES for one triple. Throws a plain Error if the three sizes differ. */
export function computeMetrics(ir: GreyImage, vis: GreyImage, fused: GreyImage): Record<MetricName, number> {
  assertSameSize(ir, fused, 'IR and fused images');
  assertSameSize(vis, fused, 'visible and fused images');
  const a = asFloat64(ir), b = asFloat64(vis), f = asFloat64(fused);
  const out = {} as Record<MetricName, number>;
  for (const name of METRIC_NAMES) out[name] = METRICS[name](a, b, f);
  return out;
}

// Public surface: names, the summary and table helpers, and every metric function on its own.
export type { GreyImage } from './image.ts';
export { LOWER_IS_BETTER, METRIC_NAMES } from './names.ts';
export type { MetricName } from './names.ts';
export { summarise } from './summary.ts';
export type { MetricRow } from './table.ts';
export { formatSummary, formatTable, toCsv, toJson } from './table.ts';
export { entropy } from './entropy.ts';
export { standardDeviation } from './statistics.ts';
export { averageGradient, spatialFrequency } from './gradient.ts';
export { edgeIntensity } from './sobel.ts';
export { crossEntropy, fusionCrossEntropy, fusionMutualInformation, mutualInformation } from './information.ts';
export { correlation, fusionCorrelation, sumOfCorrelationsOfDifferences } from './correlation.ts';
export { fusionMeanSquaredError, fusionPsnr, fusionRmse, meanSquaredError } from './error.ts';
export { fusionMsSsim, fusionSsim, msSsim, ssim } from './ssim.ts';
export { fusionVif, vif, viff } from './vif.ts';
export { qabf } from './qabf.ts';

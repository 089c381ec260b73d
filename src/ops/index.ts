/** Every op as a plain function (the Tensor methods call these). */
export * from './unary.ts';
export * from './binary.ts';
export { matmul, type MatmulOptions } from './matmul.ts';
export { sum, mean, max, min, broadcastTo, sumToShape, type ReduceOptions } from './reduce.ts';
export { reshape, permute, transpose, transposeEach, slice, concat } from './shape.ts';
export { mse, l1 } from './loss.ts';
export { fidelityLoss, type FidelityTerms } from './fidelity.ts';
export { sineLinear, linear } from './sine_linear.ts';
export { sirenMlp, type MlpLayer } from './siren_mlp.ts';
export { sobel, type SobelOptions, type BorderMode } from './sobel.ts';
export { conv2d, convTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from './conv.ts';
export { pad2d, type Padding2d } from './pad.ts';
export { batchNorm2d, instanceNorm2d, adain, layerNormLD, type BatchNormState } from './norm.ts';
export { standardise, type StandardiseOptions, type StatisticsGroup } from './standardise.ts';
export { foldBatchNorm, type FoldedNorm } from './fold_norm.ts';
export { avgPool2d, maxPool2d, globalAvgPool } from './pool.ts';
export { ssimLoss, gaussianWindow, type SsimOptions } from './ssim.ts';
export { qwLoss, qeLoss } from './qw.ts';

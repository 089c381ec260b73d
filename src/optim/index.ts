export { Adam, type AdamOptions } from './adam.ts';
export { SGD, type SgdOptions } from './sgd.ts';
export { Optimizer, StepLR } from './optimizer.ts';
export { clipGradNorm } from './clip.ts';

/**
 * fusegrad's public API: one import for Node and the browser.
 *
 *   import { init, tensor, tidy, optim } from 'fusegrad';
 *   const gpu = await init();                 // finds a GPU (or SwiftShader) and reports it
 *   const w = tensor(data, [256, 2], { requiresGrad: true });
 *   const loss = x.matmul(w, { transB: true }).sin().sub(y).square().mean();
 *   loss.backward(); opt.step();              // no readback unless asked: await loss.item()
 */
import './tensor/methods.ts';

export { FusegradError } from './errors.ts';
export { init, runtime, shutdown, noGrad, isGradEnabled } from './tensor/context.ts';
export { Tensor, liveTensorCount, sizeOf, type Shape } from './tensor/tensor.ts';
export { tensor, zeros, ones, full, uniform, mulberry32, type TensorOptions } from './tensor/create.ts';
export { tidy, keep } from './tensor/scope.ts';
export { ReplayedStep } from './tensor/replayed-step.ts';
export { backward, zeroGrad } from './tensor/autograd.ts';
export type { Runtime, RuntimeOptions, Tuning } from './gpu/runtime.ts';
export type { StepRecording } from './gpu/recording.ts';
export type { AdapterReport } from './gpu/device.ts';
export type { KernelTime } from './gpu/profiler.ts';

export * as ops from './ops/index.ts';
export * as optim from './optim/index.ts';

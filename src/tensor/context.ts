/**
 * The runtime that ops record into, set by init(). A module-level current runtime keeps the op
 * API as short as the paper's formulas (`x.matmul(w).sin()`), like tf.js and PyTorch.
 */
import { Runtime, type RuntimeOptions } from '../gpu/runtime.ts';

let current: Runtime | null = null;
let gradEnabled = true;

export async function init(options: RuntimeOptions = {}): Promise<Runtime> {
  if (current && !current.isLost) return current;
  current = await Runtime.create(options);
  return current;
}

export function runtime(): Runtime {
  if (!current) throw new Error('fusegrad: call `await init()` before using tensors');
  return current;
}

/** Destroys the device (dawn.node keeps the process alive while a device is held). */
export function shutdown(): void {
  current?.destroy();
  current = null;
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the tape (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

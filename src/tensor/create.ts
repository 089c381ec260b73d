/** Making tensors: from host data, filled with a value, or seeded random. */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { mulberry32 } from '../random.ts';
import { runtime } from './context.ts';
import type { Runtime } from '../gpu/runtime.ts';
import { Storage, Tensor, shapeString, sizeOf, type Shape } from './tensor.ts';

export interface TensorOptions {
  requiresGrad?: boolean;
  label?: string;
  /**
   * The data is the same whenever this code runs (a filter's taps), so a recorded step
   * (Runtime.capture) may upload it again at each replay; other uploads are refused there.
   */
  constant?: boolean;
}

export function tensor(data: ArrayLike<number>, shape: Shape = [data.length], options: TensorOptions = {}): Tensor {
  if (data.length !== sizeOf(shape)) {
    throw new Error(`tensor(): ${data.length} values do not fill shape ${shapeString(shape)}`);
  }
  const t = Tensor.empty(shape, options.label);
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  if (values.length) runtime().write(t.buffer, values, 0, options.constant);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

const FILL: Kernel = { name: 'fill', file: 'fill.wgsl', inputs: 0, outputs: 1, uniform: true };

export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  const t = Tensor.empty(shape, options.label);
  const rt = runtime();
  if (t.size) {
    rt.dispatch(FILL, { inputs: [], outputs: [t], params: new Params().u32(t.size).f32(value), workgroups: rt.grid1d(t.size, 256) });
  }
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/** Each runtime's `one` buffer as storage, whose first reference this map keeps for the runtime's life. */
const unitStorage = new WeakMap<Runtime, Storage>();

/**
 * A one-element tensor holding 1 (a scalar loss's seed in backward()), without a pass: it
 * shares the runtime's `one` buffer, which nothing writes after creation. A fill is a dispatch of
 * its own in every training step; in a SIREN step at 64² one of 21.
 */
export function unitScalar(shape: Shape = []): Tensor {
  if (sizeOf(shape) !== 1) throw new Error(`unitScalar: one element, not ${shapeString(shape)}`);
  const rt = runtime();
  let storage = unitStorage.get(rt);
  if (!storage) unitStorage.set(rt, (storage = new Storage(rt, rt.one)));
  return new Tensor(shape, storage.retain(), 'one');
}

export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export { mulberry32 };

/** U(lo, hi) values from a seeded generator. */
export function uniform(shape: Shape, lo: number, hi: number, random: () => number, options: TensorOptions = {}): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
  return tensor(data, shape, options);
}

/**
 * A float32 tensor on the GPU: a shape, contiguous row-major strides, and a reference-counted
 * storage (reshape views share it). Autograd state lives beside the data: `requiresGrad`, the
 * accumulated `grad`, and `node`, the record of the op that made this tensor (the tape).
 */
import type { Runtime } from '../gpu/runtime.ts';
import { runtime } from './context.ts';
import { track } from './scope.ts';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** One GPU buffer shared by a tensor and its reshape views; released when the last one goes. */
export class Storage {
  private refs = 1;
  constructor(readonly rt: Runtime, readonly buffer: GPUBuffer) {}
  retain(): this { this.refs++; return this; }
  release(): void {
    if (--this.refs === 0) this.rt.release(this.buffer);
  }
}

/** How a tensor was made: its inputs and the rule that turns dL/d(output) into dL/d(inputs). */
export interface GradNode {
  op: string;
  inputs: Tensor[];
  /** one gradient per input (null where the input needs none or the gradient is zero) */
  backward(gradOutput: Tensor): (Tensor | null)[];
}

let liveTensors = 0;

export class Tensor {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  node: GradNode | null = null;
  /** set when backward() freed the node that made this tensor: a second backward is an error */
  graphFreed = false;
  private disposed = false;

  constructor(shape: Shape, readonly storage: Storage, readonly label = 'tensor') {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape ${shapeString(shape)}`);
    }
    this.shape = [...shape];
    this.strides = stridesOf(shape);
    this.size = sizeOf(shape);
    liveTensors++;
    track(this);
  }

  /** A new, uninitialised tensor. */
  static empty(shape: Shape, label = 'tensor'): Tensor {
    const rt = runtime();
    return new Tensor(shape, new Storage(rt, rt.allocate(sizeOf(shape) * 4, label)), label);
  }

  get rank(): number {
    return this.shape.length;
  }

  get buffer(): GPUBuffer {
    if (this.disposed) throw new Error(`${this.label} ${shapeString(this.shape)} used after dispose()`);
    return this.storage.buffer;
  }

  get bytes(): number {
    return this.size * 4;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Copies the data to the host. The only way data leaves the GPU. */
  async read(): Promise<Float32Array> {
    const rt = this.storage.rt;
    return new Float32Array(await rt.read(this.buffer, this.bytes));
  }

  /** The single value of a one-element tensor (e.g. a loss). */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a one-element tensor, got ${shapeString(this.shape)}`);
    return (await this.read())[0];
  }

  /**
   * item() as of now, without waiting for the GPU: the value is copied after the work recorded so
   * far, and arrives once that is done, while later work runs (Runtime.readLater). The tensor
   * may be disposed or rewritten (a replayed step's loss) before the value is awaited.
   */
  itemLater(): Promise<number> {
    if (this.size !== 1) throw new Error(`itemLater() needs a one-element tensor, got ${shapeString(this.shape)}`);
    return this.storage.rt.readLater(this.buffer, 4).then((bytes) => new Float32Array(bytes)[0]);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    liveTensors--;
    this.node = null;
    this.grad?.dispose();
    this.grad = null;
    this.storage.release();
  }

  toString(): string {
    return `Tensor(${this.label} ${shapeString(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

export function liveTensorCount(): number {
  return liveTensors;
}

export function assertSameShape(op: string, a: Shape, b: Shape): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} differ`);
  }
}

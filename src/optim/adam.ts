/**
 * Adam with PyTorch semantics (β = (0.9, 0.999), ε = 1e-8, L2 weight decay added to the
 * gradient), one fused kernel for up to three parameter tensors at a time: shaders/adam.wgsl.
 * The moments of all tensors live in two buffers, m and v (more past the binding limit).
 * Float64 reference: src/reference/optim.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { keep } from '../tensor/scope.ts';
import { Tensor } from '../tensor/tensor.ts';
import { Optimizer } from './optimizer.ts';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** tensor slots of the kernel: 3 gradients + 3 parameters + m + v are WebGPU's default 8 storage bindings */
const SLOTS = 3;
const kernel = (slots: number): Kernel => ({
  name: `adam.${slots}`, file: 'adam.wgsl', constants: { SLOTS: slots }, inputs: SLOTS, outputs: SLOTS + 2, uniform: true,
});
/**
 * Tensors per dispatch by tuning: 3 on GPUs, 1 on CPU adapters, where the kernel's unused
 * branches cost as if taken (shaders/adam.wgsl), and a dispatch costs little next to the work.
 */
const ADAM = { gpu: { kernel: kernel(SLOTS), slots: SLOTS }, cpu: { kernel: kernel(1), slots: 1 } } as const;

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** the moments m and v, of as many parameters together as one binding holds */
  private arenas: { m: Tensor; v: Tensor }[];
  /** each parameter's arena and where its moments start there */
  private readonly places: { arena: number; offset: number }[];
  /** stand-ins bound to the empty slots of a dispatch's parameters (writable bindings must not alias) */
  private spares: Tensor[];

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    if (new Set(params).size !== params.length) throw new Error('Adam: a parameter is listed twice');
    // elements of one arena's m (or v), 4 bytes each, in one binding
    const capacity = Math.floor(runtime().report.limits.maxStorageBufferBindingSize / 4);
    const totals: number[] = [];
    this.places = params.map((p) => {
      if (p.size > capacity) {
        throw new Error(`Adam: ${p} has ${p.size} elements; its moments need ${4 * p.size} bytes each, over maxStorageBufferBindingSize`);
      }
      if (!totals.length || totals[totals.length - 1] + p.size > capacity) totals.push(0);
      const place = { arena: totals.length - 1, offset: totals[totals.length - 1] };
      totals[totals.length - 1] += p.size;
      return place;
    });
    this.arenas = totals.map((total) => ({ m: keep(zeros([total], { label: 'adam.m' })), v: keep(zeros([total], { label: 'adam.v' })) }));
    this.spares = Array.from({ length: SLOTS - 1 }, () => keep(Tensor.empty([1], 'adam.spare')));
  }

  step(): void {
    if (!this.arenas.length && this.params.length) throw new Error('Adam: step() after dispose()');
    this.countStep();
    const { kernel, slots } = ADAM[runtime().tuning];
    // parameters with something to update (those without a gradient are left alone), in passes of
    // up to `slots` that share an arena
    let pass: number[] = [];
    this.params.forEach((p, i) => {
      if (!p.grad || p.size === 0) return;
      if (pass.length === slots || (pass.length && this.places[pass[0]].arena !== this.places[i].arena)) {
        this.dispatch(kernel, pass);
        pass = [];
      }
      pass.push(i);
    });
    if (pass.length) this.dispatch(kernel, pass);
  }

  /** One pass over the parameters at these indices (at most the kernel's slots). */
  private dispatch(kernel: Kernel, indices: number[]): void {
    const rt = runtime();
    const sizes = Array.from({ length: SLOTS }, (_, k) => (k < indices.length ? this.params[indices[k]].size : 0));
    // slot k's first invocation, at a workgroup boundary so that a workgroup takes one branch
    const starts = [0];
    for (let k = 1; k < SLOTS; k++) starts.push(starts[k - 1] + Math.ceil(sizes[k - 1] / 256) * 256);
    const end = starts[SLOTS - 1] + sizes[SLOTS - 1];
    const arena = this.arenas[this.places[indices[0]].arena];
    // the learning rate and the bias corrections of the current step, also at each replay
    const params = (): Params => {
      const p = new Params();
      for (const n of sizes) p.u32(n);
      p.u32(starts[1]).u32(starts[2]);
      for (let k = 0; k < SLOTS; k++) p.u32(k < indices.length ? this.places[indices[k]].offset : 0);
      return p.f32(this.lr).f32(this.beta1).f32(this.beta2).f32(this.eps).f32(this.weightDecay)
        .f32(1 - this.beta1 ** this.stepCount).f32(1 - this.beta2 ** this.stepCount).f32(1 - this.beta1).f32(1 - this.beta2);
    };
    const slot = (k: number): Tensor => (k < indices.length ? this.params[indices[k]] : this.spares[k - indices.length]);
    const grads = Array.from({ length: SLOTS }, (_, k) => slot(k < indices.length ? k : 0).grad as Tensor);
    rt.dispatch(kernel, {
      inputs: grads, outputs: [slot(0), slot(1), slot(2), arena.m, arena.v], params: params(), refresh: params,
      workgroups: rt.grid1d(end, 256),
    });
  }

  dispose(): void {
    for (const { m, v } of this.arenas) {
      m.dispose();
      v.dispose();
    }
    this.arenas = [];
    for (const t of this.spares) t.dispose();
    this.spares = [];
  }
}

/**
 * Adam with PyTorch semantics (β = (0.9, 0.999), ε = 1e-8, L2 weight decay added to the
 * gradient), one fused kernel for several parameter tensors at a time: shaders/adam.wgsl.
 * The moments of all tensors live in two buffers, m and v (more past the binding limit).
 * Float64 reference: src/reference/optim.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { slotBindings, slotBranches, slotCount, slotStarts } from '../gpu/slots.ts';
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

/** tensors per pass at most, however many bindings an adapter has */
const MAX_SLOTS = 8;

/** The pass for `slots` tensors (shaders/adam.wgsl): slot k's bindings, parameters and branch, as snippets. */
function adamKernel(slots: number): Kernel {
  const ks = Array.from({ length: slots }, (_, i) => i + 1);
  return {
    name: `adam.${slots}`, file: 'adam.wgsl', inputs: slots, outputs: slots + 2, uniform: true,
    snippets: {
      SLOT_PARAMS: ks.map((k) => `  n_${k}: u32, start_${k}: u32, offset_${k}: u32,`).join('\n'),
      SLOT_BINDINGS: slotBindings(slots, [['g', 'read'], ['p', 'read_write']]),
      M_BINDING: String(2 * slots), V_BINDING: String(2 * slots + 1), PARAMS_BINDING: String(2 * slots + 2),
      SLOT_UPDATES: slotBranches(slots, (k, j) =>
        `if (${j} < params.n_${k}) { p_${k}[${j}] = adam(p_${k}[${j}], g_${k}[${j}], params.offset_${k} + ${j}); }`),
    },
  };
}

const kernels = new Map<number, Kernel>();

/** Tensors per pass (src/gpu/slots.ts): a gradient and a parameter each, and m and v. */
function adamPass(): { kernel: Kernel; slots: number } {
  const slots = slotCount(runtime(), 2, 2, MAX_SLOTS);
  let kernel = kernels.get(slots);
  if (!kernel) kernels.set(slots, (kernel = adamKernel(slots)));
  return { kernel, slots };
}

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
    this.spares = Array.from({ length: MAX_SLOTS - 1 }, () => keep(Tensor.empty([1], 'adam.spare')));
  }

  step(): void {
    if (!this.arenas.length && this.params.length) throw new Error('Adam: step() after dispose()');
    this.countStep();
    const { kernel, slots } = adamPass();
    // parameters with something to update (those without a gradient are left alone), in passes of
    // up to `slots` that share an arena
    let pass: number[] = [];
    this.params.forEach((p, i) => {
      if (!p.grad || p.size === 0) return;
      if (pass.length === slots || (pass.length && this.places[pass[0]].arena !== this.places[i].arena)) {
        this.dispatch(kernel, slots, pass);
        pass = [];
      }
      pass.push(i);
    });
    if (pass.length) this.dispatch(kernel, slots, pass);
  }

  /** One pass over the parameters at these indices (at most the kernel's slots). */
  private dispatch(kernel: Kernel, slots: number, indices: number[]): void {
    const rt = runtime();
    const sizes = Array.from({ length: slots }, (_, k) => (k < indices.length ? this.params[indices[k]].size : 0));
    const { starts, invocations } = slotStarts(sizes, 256);
    const arena = this.arenas[this.places[indices[0]].arena];
    // the learning rate and the bias corrections of the current step, also at each replay
    const params = (): Params => {
      const p = new Params();
      for (let k = 0; k < slots; k++) p.u32(sizes[k]).u32(starts[k]).u32(k < indices.length ? this.places[indices[k]].offset : 0);
      return p.f32(this.lr).f32(this.beta1).f32(this.beta2).f32(this.eps).f32(this.weightDecay)
        .f32(1 - this.beta1 ** this.stepCount).f32(1 - this.beta2 ** this.stepCount).f32(1 - this.beta1).f32(1 - this.beta2);
    };
    const slot = (k: number): Tensor => (k < indices.length ? this.params[indices[k]] : this.spares[k - indices.length]);
    const grads = Array.from({ length: slots }, (_, k) => slot(k < indices.length ? k : 0).grad as Tensor);
    const updated = Array.from({ length: slots }, (_, k) => slot(k));
    rt.dispatch(kernel, {
      inputs: grads, outputs: [...updated, arena.m, arena.v], params: params(), refresh: params,
      workgroups: rt.grid1d(invocations, 256),
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

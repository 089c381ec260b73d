/**
 * Adam with PyTorch semantics (β = (0.9, 0.999), ε = 1e-8, L2 weight decay added to the
 * gradient), one fused kernel per parameter tensor: shaders/adam.wgsl.
 * Float64 reference: src/reference/optim.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { keep } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Optimizer } from './optimizer.ts';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

const ADAM: Kernel = { name: 'adam', file: 'adam.wgsl', inputs: 1, outputs: 3, uniform: true };

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private moments: { m: Tensor; v: Tensor }[];

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.moments = params.map((p) => ({ m: keep(zeros(p.shape)), v: keep(zeros(p.shape)) }));
  }

  step(): void {
    this.stepCount++;
    const rt = runtime();
    const bc1 = 1 - this.beta1 ** this.stepCount;
    const bc2 = 1 - this.beta2 ** this.stepCount;
    this.params.forEach((p, i) => {
      if (!p.grad || p.size === 0) return;
      const { m, v } = this.moments[i];
      const params = new Params().u32(p.size).f32(this.lr).f32(this.beta1).f32(this.beta2).f32(this.eps)
        .f32(this.weightDecay).f32(bc1).f32(bc2).f32(1 - this.beta1).f32(1 - this.beta2);
      rt.dispatch(ADAM, { inputs: [p.grad], outputs: [p, m, v], params, workgroups: rt.grid1d(p.size, 256) });
    });
  }

  dispose(): void {
    for (const { m, v } of this.moments) {
      m.dispose();
      v.dispose();
    }
    this.moments = [];
  }
}

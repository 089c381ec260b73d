/** SGD with optional momentum, torch.optim.SGD semantics (dampening 0): shaders/sgd.wgsl. */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { keep } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Optimizer } from './optimizer.ts';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

const SGD_KERNEL: Kernel = { name: 'sgd', file: 'sgd.wgsl', inputs: 1, outputs: 2, uniform: true };

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  private buffers: Tensor[];

  constructor(params: Tensor[], options: SgdOptions) {
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.buffers = params.map((p) => keep(zeros(p.shape)));
  }

  step(): void {
    this.countStep();
    const rt = runtime();
    this.params.forEach((p, i) => {
      if (!p.grad || p.size === 0) return;
      // Without momentum buf is just g' each step: "first step" semantics every time.
      const params = (): Params => new Params().u32(p.size).f32(this.lr).f32(this.momentum).f32(this.weightDecay)
        .u32(this.stepCount === 1 || this.momentum === 0 ? 1 : 0);
      rt.dispatch(SGD_KERNEL, {
        inputs: [p.grad], outputs: [p, this.buffers[i]], params: params(), refresh: params, workgroups: rt.grid1d(p.size, 256),
      });
    });
  }

  dispose(): void {
    for (const b of this.buffers) b.dispose();
    this.buffers = [];
  }
}

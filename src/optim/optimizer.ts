/** What Adam and SGD share: the parameter list, the learning rate and its schedule, zeroGrad. */
import { zeroGrad } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import type { Tensor } from '../tensor/tensor.ts';

export abstract class Optimizer {
  /** steps taken so far */
  stepCount = 0;
  lr: number;

  constructor(readonly params: Tensor[], lr: number) {
    for (const p of params) {
      if (!p.requiresGrad) throw new Error(`optimizer: ${p} does not require grad`);
    }
    this.lr = lr;
  }

  /** Applies one update from each parameter's .grad (parameters without a grad are left alone). */
  abstract step(): void;

  /** Counts a step at the start of step(); each replay of a recorded step (Runtime.capture) counts again. */
  protected countStep(): void {
    this.stepCount++;
    runtime().onReplay(() => this.stepCount++);
  }

  zeroGrad(): void {
    zeroGrad(this.params);
  }

  /** Frees the optimizer state on the GPU. */
  abstract dispose(): void;
}

/** PyTorch's StepLR/MultiStepLR: lr = base·gamma^(number of milestones passed). */
export class StepLR {
  private readonly base: number;

  constructor(private optimizer: Optimizer, private milestones: number[], private gamma = 0.1) {
    this.base = optimizer.lr;
  }

  /** Call once per epoch (or step, as the milestones are counted). */
  step(epoch: number): void {
    const passed = this.milestones.filter((m) => epoch >= m).length;
    this.optimizer.lr = this.base * this.gamma ** passed;
  }
}

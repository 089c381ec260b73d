/** The one-batch training loop the model tests share: `steps` Adam steps on one fixed batch, the loss after each. */
import { tidy, type Tensor } from '../../src/index.ts';
import type { Optimizer } from '../../src/optim/index.ts';

export async function lossesOverSteps(optimiser: Optimizer, steps: number, loss: () => Tensor): Promise<number[]> {
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const total = tidy(() => {
      optimiser.zeroGrad();
      const value = loss();
      value.backward();
      optimiser.step();
      return value;
    });
    losses.push(await total.item());
    total.dispose();
  }
  return losses;
}

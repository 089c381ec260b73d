/**
 * Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_): if ‖g‖₂ over all
 * parameters exceeds maxNorm, every gradient is scaled by maxNorm / (‖g‖₂ + 1e-6).
 * Computed on the GPU with no readback: the scale stays a one-element tensor.
 */
import { add, minimum, mul } from '../ops/binary.ts';
import { sum } from '../ops/reduce.ts';
import { addScalar, mulScalar, reciprocal, sqrt, square } from '../ops/unary.ts';
import { noGrad } from '../tensor/context.ts';
import { ones } from '../tensor/create.ts';
import { keep, tidy } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';

export function clipGradNorm(params: Tensor[], maxNorm: number): void {
  const withGrad = params.filter((p) => p.grad);
  if (withGrad.length === 0) return;
  noGrad(() => tidy(() => {
    const squares = withGrad.map((p) => sum(square(p.grad!)));
    const norm = sqrt(squares.reduce((a, b) => add(a, b)));
    const scale = minimum(ones([]), mulScalar(reciprocal(addScalar(norm, 1e-6)), maxNorm));
    for (const p of withGrad) {
      const clipped = keep(mul(p.grad!, scale));
      p.grad!.dispose();
      p.grad = clipped;
    }
  }));
}

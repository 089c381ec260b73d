/**
 * Losses, composed from primitives (their gradients come from the primitives' rules).
 * Float64 reference: src/reference/loss.ts.
 */
import { assertSameShape, type Tensor } from '../tensor/tensor.ts';
import { sub } from './binary.ts';
import { mean } from './reduce.ts';
import { abs, square } from './unary.ts';

/** mean((a − b)²) over all elements */
export function mse(a: Tensor, b: Tensor): Tensor {
  assertSameShape('mse', a.shape, b.shape); // no silent broadcasting of a target
  return mean(square(sub(a, b)));
}

/** mean(|a − b|) over all elements; the gradient at a = b is 0 */
export function l1(a: Tensor, b: Tensor): Tensor {
  assertSameShape('l1', a.shape, b.shape);
  return mean(abs(sub(a, b)));
}

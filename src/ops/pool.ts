/**
 * Pooling over NCHW tensors as reshapes plus reductions (no kernels of their own): a 2×2
 * window of [N, C, H, W] is axes 3 and 5 of the view [N, C, H/2, 2, W/2, 2]. Odd trailing
 * rows/columns are dropped first, as PyTorch's floor mode does. Max pooling's gradient goes to
 * the first maximum of each window (the reduce kernel's rule).
 * Float64 reference: src/reference/pool.ts.
 */
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { max, mean } from './reduce.ts';
import { reshape, slice } from './shape.ts';

/** [N, C, H, W] → the view [N, C, H/2, 2, W/2, 2] whose axes 3 and 5 are the windows. */
function windows2x2(op: string, x: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`${op} needs x [N, C, H, W], got ${shapeString(x.shape)}`);
  const [N, C, H, W] = x.shape;
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  if (Ho < 1 || Wo < 1) throw new Error(`${op}: a 2×2 window does not fit ${H}×${W}`);
  const even = H % 2 || W % 2 ? slice(x, [0, 0, 0, 0], [N, C, 2 * Ho, 2 * Wo]) : x;
  return reshape(even, [N, C, Ho, 2, Wo, 2]);
}

function pool(op: string, x: Tensor, reduce: typeof mean): Tensor {
  const view = windows2x2(op, x);
  const [N, C, Ho, , Wo] = view.shape;
  return reshape(reduce(view, { axes: [3, 5] }), [N, C, Ho, Wo]);
}

/** 2×2 average pooling, stride 2. */
export const avgPool2d = (x: Tensor): Tensor => pool('avgPool2d', x, mean);

/** 2×2 max pooling, stride 2. */
export const maxPool2d = (x: Tensor): Tensor => pool('maxPool2d', x, max);

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1]. */
export function globalAvgPool(x: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`globalAvgPool needs x [N, C, H, W], got ${shapeString(x.shape)}`);
  return mean(x, { axes: [2, 3], keepDims: true });
}

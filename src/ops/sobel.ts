/**
 * Sobel image gradients as a differentiable op: x [..., H, W] → [..., 2, H, W]
 * (channel 0 = d/dx along columns, 1 = d/dy), cross-correlation, with a choice of border.
 * Kernels: shaders/sobel.wgsl (forward), sobel_backward.wgsl (gather-form adjoint).
 * Float64 reference: src/reference/sobel.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString, sizeOf } from '../tensor/tensor.ts';

export type BorderMode = 'zero' | 'replicate' | 'reflect' | 'symmetric';
/** the mode numbers of shaders/border.wgsl */
export const BORDER_MODE_INDEX: Record<BorderMode, number> = { zero: 0, replicate: 1, reflect: 2, symmetric: 3 };

export interface SobelOptions {
  /** how pixels outside the image are read; kornia uses 'replicate', scipy 'symmetric' */
  border?: BorderMode;
  /** divide the kernels by 8 (kornia's default), so a unit ramp has gradient 1 */
  normalise?: boolean;
}

const FORWARD: Kernel = { name: 'sobel', file: 'sobel.wgsl', inputs: 1, outputs: 1, uniform: true };
const BACKWARD: Kernel = { name: 'sobel_backward', file: 'sobel_backward.wgsl', inputs: 1, outputs: 1, uniform: true };

export function sobel(x: Tensor, options: SobelOptions = {}): Tensor {
  if (x.rank < 2) throw new Error(`sobel needs [..., H, W], got ${shapeString(x.shape)}`);
  const border = options.border ?? 'replicate';
  const [H, W] = x.shape.slice(-2);
  const B = sizeOf(x.shape.slice(0, -2));
  const rt = runtime();
  const params = new Params().u32(B).u32(H).u32(W).u32(BORDER_MODE_INDEX[border]).f32(options.normalise ? 1 / 8 : 1);
  const y = Tensor.empty([...x.shape.slice(0, -2), 2, H, W], 'sobel');
  if (x.size) rt.dispatch(FORWARD, { inputs: [x], outputs: [y], params, workgroups: rt.grid1d(x.size, 256) });
  return record(y, 'sobel', [x], (g) => {
    const dx = Tensor.empty(x.shape, 'sobel.grad');
    if (x.size) rt.dispatch(BACKWARD, { inputs: [g], outputs: [dx], params, workgroups: rt.grid1d(x.size, 256) });
    return [dx];
  });
}

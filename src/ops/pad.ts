/**
 * pad2d: pads the last two axes with a border rule (zero, replicate, reflect as PyTorch's
 * ReflectionPad2d, symmetric). Kernels: shaders/pad.wgsl, pad_backward.wgsl (gather-form
 * adjoint). Float64 reference: src/reference/shape.ts (pad).
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString, sizeOf } from '../tensor/tensor.ts';
import type { BorderMode } from './sobel.ts';

const MODE: Record<BorderMode, number> = { zero: 0, replicate: 1, reflect: 2, symmetric: 3 };
const FORWARD: Kernel = { name: 'pad', file: 'pad.wgsl', inputs: 1, outputs: 1, uniform: true };
const BACKWARD: Kernel = { name: 'pad_backward', file: 'pad_backward.wgsl', inputs: 1, outputs: 1, uniform: true };

/** [top, bottom, left, right], or one number for all four */
export type Padding2d = number | readonly [number, number, number, number];

export function pad2d(x: Tensor, padding: Padding2d, mode: BorderMode = 'zero'): Tensor {
  const [top, bottom, left, right] = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
  if (x.rank < 2) throw new Error(`pad2d needs [..., H, W], got ${shapeString(x.shape)}`);
  const [H, W] = x.shape.slice(-2);
  for (const p of [top, bottom, left, right]) {
    if (!Number.isInteger(p) || p < 0) throw new Error(`pad2d: padding ${p} must be a non-negative integer`);
  }
  // PyTorch's rule; beyond it a mirror would repeat itself (border.wgsl could, PyTorch cannot)
  if (mode === 'reflect' && (Math.max(top, bottom) >= H || Math.max(left, right) >= W)) {
    throw new Error(`pad2d: reflect padding (${top}, ${bottom}, ${left}, ${right}) must be smaller than the image ${H}×${W}`);
  }
  if (mode !== 'zero' && (H === 0 || W === 0)) throw new Error(`pad2d: cannot ${mode}-pad an empty image`);
  const B = sizeOf(x.shape.slice(0, -2));
  const rt = runtime();
  const params = new Params().u32(B).u32(H).u32(W).u32(MODE[mode]).u32(top).u32(bottom).u32(left).u32(right);
  const y = Tensor.empty([...x.shape.slice(0, -2), H + top + bottom, W + left + right], 'pad2d');
  if (y.size) rt.dispatch(FORWARD, { inputs: [x], outputs: [y], params, workgroups: rt.grid1d(y.size, 256) });
  return record(y, 'pad2d', [x], (g) => {
    const dx = Tensor.empty(x.shape, 'pad2d.grad');
    if (dx.size) rt.dispatch(BACKWARD, { inputs: [g], outputs: [dx], params, workgroups: rt.grid1d(dx.size, 256) });
    return [dx];
  });
}

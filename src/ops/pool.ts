/**
 * Pooling over NCHW tensors. 2×2 windows, stride 2 (avgPool2d, maxPool2d): one kernel forward
 * (shaders/pool.wgsl) and one back (pool_backward.wgsl), an invocation per output and per input
 * element; an odd last row or column is dropped, as PyTorch's floor mode does. Max pooling's
 * gradient goes to the first maximum of each window in row-major order, which the backward
 * finds again from x rather than keeping indices. As reductions of the view
 * [N, C, H/2, 2, W/2, 2], a pooling took three dispatches forward (two sums and a scale) and
 * more back.
 * globalAvgPool is the engine's mean over H and W.
 * Float64 reference: src/reference/pool.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { mean } from './reduce.ts';

type Mode = 'average' | 'max';
const kernel = (mode: Mode, backward: boolean): Kernel => ({
  name: `pool.${mode}${backward ? '.backward' : ''}`, file: backward ? 'pool_backward.wgsl' : 'pool.wgsl',
  constants: { AVERAGE: Number(mode === 'average') }, inputs: backward ? 2 : 1, outputs: 1, uniform: true,
});
const KERNELS = { average: [kernel('average', false), kernel('average', true)], max: [kernel('max', false), kernel('max', true)] };

function pool2x2(op: string, mode: Mode, x: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`${op} needs x [N, C, H, W], got ${shapeString(x.shape)}`);
  const [N, C, H, W] = x.shape;
  const [Ho, Wo] = [Math.floor(H / 2), Math.floor(W / 2)];
  if (Ho < 1 || Wo < 1) throw new Error(`${op}: a 2×2 window does not fit ${H}×${W}`);
  const rt = runtime();
  const [forward, backward] = KERNELS[mode];
  const y = Tensor.empty([N, C, Ho, Wo], op);
  if (y.size) {
    rt.dispatch(forward, { inputs: [x], outputs: [y], params: new Params().u32(y.size).u32(H).u32(W), workgroups: rt.grid1d(y.size, 256) });
  }
  return record(y, op, [x], (g) => {
    const dx = Tensor.empty(x.shape, `${op}.dx`);
    if (dx.size) {
      rt.dispatch(backward, { inputs: [x, g], outputs: [dx], params: new Params().u32(x.size).u32(H).u32(W), workgroups: rt.grid1d(x.size, 256) });
    }
    return [dx];
  });
}

/** 2×2 average pooling, stride 2. */
export const avgPool2d = (x: Tensor): Tensor => pool2x2('avgPool2d', 'average', x);

/** 2×2 max pooling, stride 2. */
export const maxPool2d = (x: Tensor): Tensor => pool2x2('maxPool2d', 'max', x);

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1]. */
export function globalAvgPool(x: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`globalAvgPool needs x [N, C, H, W], got ${shapeString(x.shape)}`);
  return mean(x, { axes: [2, 3], keepDims: true });
}

/** Shared plumbing for element-wise kernels: one pipeline per expression, any size. */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor } from '../tensor/tensor.ts';

const unaryKernels = new Map<string, Kernel>();
const unaryBackwardKernels = new Map<string, Kernel>();

function kernelFor(cache: Map<string, Kernel>, name: string, file: string, expr: string, inputs: number): Kernel {
  let k = cache.get(name);
  if (!k) {
    k = { name, file, snippets: { EXPR: expr }, inputs, outputs: 1, uniform: true };
    cache.set(name, k);
  }
  return k;
}

/** y = expr(x, a, b) element-wise. */
export function mapUnary(name: string, expr: string, x: Tensor, a = 0, b = 0): Tensor {
  const rt = runtime();
  const y = Tensor.empty(x.shape, name);
  if (y.size) {
    rt.dispatch(kernelFor(unaryKernels, `unary.${name}`, 'unary.wgsl', expr, 1), {
      inputs: [x], outputs: [y], params: new Params().u32(y.size).f32(a).f32(b), workgroups: rt.grid1d(y.size, 256),
    });
  }
  return y;
}

/** dx = rule(v, g, a, b) element-wise, v being the saved input or output of the op. */
export function mapUnaryBackward(name: string, expr: string, v: Tensor, g: Tensor, a = 0, b = 0): Tensor {
  const rt = runtime();
  const dx = Tensor.empty(v.shape, `${name}.grad`);
  if (dx.size) {
    rt.dispatch(kernelFor(unaryBackwardKernels, `unary_backward.${name}`, 'unary_backward.wgsl', expr, 2), {
      inputs: [v, g], outputs: [dx], params: new Params().u32(dx.size).f32(a).f32(b), workgroups: rt.grid1d(dx.size, 256),
    });
  }
  return dx;
}

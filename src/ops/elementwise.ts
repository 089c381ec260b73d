/**
 * Shared plumbing for element-wise kernels: one pipeline per expression, any size. Sizes that
 * are multiples of 4 run the kernels' vec4 entry point (four elements per invocation).
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor } from '../tensor/tensor.ts';

const kernels = new Map<string, Kernel>();

/** The pipeline of `expr` in `file`, vec4 or scalar form; `name` must identify the expression. */
export function elementwiseKernel(name: string, file: string, snippets: Record<string, string>, inputs: number, vec4: boolean): Kernel {
  const key = vec4 ? `${name}.vec4` : name;
  let k = kernels.get(key);
  if (!k) {
    k = { name: key, file, entryPoint: vec4 ? 'main_vec4' : 'main', snippets, inputs, outputs: 1, uniform: true };
    kernels.set(key, k);
  }
  return k;
}

/** Records one element-wise dispatch over `size` elements, vectorised when it can be. */
function dispatchElementwise(name: string, file: string, expr: string, inputs: Tensor[], out: Tensor, a: number, b: number): void {
  const rt = runtime();
  const vec4 = out.size % 4 === 0;
  rt.dispatch(elementwiseKernel(name, file, { EXPR: expr }, inputs.length, vec4), {
    inputs, outputs: [out], params: new Params().u32(out.size).f32(a).f32(b), workgroups: rt.grid1d(vec4 ? out.size / 4 : out.size, 256),
  });
}

/** y = expr(x, a, b) element-wise. */
export function mapUnary(name: string, expr: string, x: Tensor, a = 0, b = 0): Tensor {
  const y = Tensor.empty(x.shape, name);
  if (y.size) dispatchElementwise(`unary.${name}`, 'unary.wgsl', expr, [x], y, a, b);
  return y;
}

/** dx = rule(v, g, a, b) element-wise, v being the saved input or output of the op. */
export function mapUnaryBackward(name: string, expr: string, v: Tensor, g: Tensor, a = 0, b = 0): Tensor {
  const dx = Tensor.empty(v.shape, `${name}.grad`);
  if (dx.size) dispatchElementwise(`unary_backward.${name}`, 'unary_backward.wgsl', expr, [v, g], dx, a, b);
  return dx;
}

/**
 * Element-wise binary ops with NumPy broadcasting (shaders/binary.wgsl). Gradients are written
 * with other ops and reduced to each input's shape by sumToShape, the one place that undoes
 * broadcasting. Float64 reference: src/reference/binary.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { elementwiseKernel } from './elementwise.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor } from '../tensor/tensor.ts';
import { sumToShape } from './reduce.ts';
import { broadcastShapes, broadcastStrides } from './shape.ts';
import { neg } from './unary.ts';

const EXPRESSIONS = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
  prelu: 'select(b * a, a, a > 0.0)',
  // helpers for gradients
  firstWins: 'select(0.0, 1.0, a >= b)', // 1 where maximum(a, b) took a (ties to a)
  firstLoses: 'select(1.0, 0.0, a >= b)',
  preluSlopeOrOne: 'select(b, 1.0, a > 0.0)', // d prelu / dx
  preluNegativePart: 'select(a, 0.0, a > 0.0)', // d prelu / dslope
} as const;

type BinaryExpression = keyof typeof EXPRESSIONS;
/** The pipeline for `name` on equal shapes (rank irrelevant) or broadcasting to `rank` axes. */
function binaryKernel(name: BinaryExpression, same: boolean, rank: number, vec4: boolean): Kernel {
  const snippets = { EXPR: EXPRESSIONS[name], SAME: String(same), INDEX: same ? '' : broadcastIndex(rank) };
  return elementwiseKernel(same ? `binary.${name}` : `binary.${name}.rank${rank}`, 'binary.wgsl', snippets, 2, vec4);
}

/**
 * The fewest axes that index the same elements: size-1 axes dropped, and neighbours merged where
 * both inputs step through them as one (stride[d] = stride[d + 1]·size[d + 1], stride 0 included).
 * [1, 64, 32, 32] · [1, 64, 1, 1] becomes [64, 1024] with strides [1024, 1] and [1, 0]: two
 * divisions per element instead of four.
 */
export function collapseAxes(shape: readonly number[], a: readonly number[], b: readonly number[]): { shape: number[]; a: number[]; b: number[] } {
  const out = { shape: [] as number[], a: [] as number[], b: [] as number[] };
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = out.shape.length - 1;
    if (last >= 0 && out.a[last] === a[d] * size && out.b[last] === b[d] * size) {
      out.shape[last] *= size;
      out.a[last] = a[d];
      out.b[last] = b[d];
    } else {
      out.shape.push(size);
      out.a.push(a[d]);
      out.b.push(b[d]);
    }
  });
  if (out.shape.length === 0) return { shape: [1], a: [0], b: [0] };
  return out;
}

/**
 * WGSL that turns the flat output index i into the inputs' indices ia, ib for `rank` axes, the
 * shape and strides read from params at constant positions: coordinates from the last axis up,
 * each a quotient and a remainder by multiplication (one integer division per axis, none for the
 * outermost, which is what remains).
 */
function broadcastIndex(rank: number): string {
  const at = (field: string, d: number) => `params.${field}[${d >> 2}][${d & 3}]`;
  const lines = ['  var rem = i;'];
  for (let d = rank - 1; d > 0; d--) {
    lines.push(`  let q${d} = rem / ${at('out_shape', d)};`,
      `  let c${d} = rem - q${d} * ${at('out_shape', d)};`,
      `  ia += c${d} * ${at('a_strides', d)};`,
      `  ib += c${d} * ${at('b_strides', d)};`,
      `  rem = q${d};`);
  }
  lines.push(`  ia += rem * ${at('a_strides', 0)};`, `  ib += rem * ${at('b_strides', 0)};`);
  return lines.join('\n');
}

/** y = expr(a, b) with broadcasting, no gradient recorded. */
function mapBinary(name: BinaryExpression, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape.length > 8) throw new Error(`binary ops support rank ≤ 8`);
  const y = Tensor.empty(shape, name);
  if (y.size === 0) return y;
  const same = a.size === y.size && b.size === y.size ? 1 : 0;
  const vec4 = same === 1 && y.size % 4 === 0;
  const axes = collapseAxes(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
  const kernel = binaryKernel(name, same === 1, axes.shape.length, vec4);
  const params = new Params().u32(y.size).u32(axes.shape.length).u32(same).u32(0)
    .u32s(axes.shape, 2, 1).u32s(axes.a, 2).u32s(axes.b, 2);
  const rt = runtime();
  rt.dispatch(kernel, { inputs: [a, b], outputs: [y], params, workgroups: rt.grid1d(vec4 ? y.size / 4 : y.size, 256) });
  return y;
}

export function add(a: Tensor, b: Tensor): Tensor {
  return record(mapBinary('add', a, b), 'add', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(g, b.shape)]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return record(mapBinary('sub', a, b), 'sub', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(neg(g), b.shape)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  return record(mapBinary('mul', a, b), 'mul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(mapBinary('mul', g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(mapBinary('mul', g, a), b.shape) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  const y = mapBinary('div', a, b);
  return record(y, 'div', [a, b], (g) => {
    const ga = mapBinary('div', g, b); // g / b
    // d(a/b)/db = -a/b² = -(a/b)/b, so the b-gradient is -(g/b)·y
    const gb = b.requiresGrad ? sumToShape(neg(mapBinary('mul', ga, y)), b.shape) : null;
    return [a.requiresGrad ? sumToShape(ga, a.shape) : null, gb];
  });
}

/** Element-wise max; where a = b the gradient goes to a. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return record(mapBinary('maximum', a, b), 'maximum', [a, b], (g) => [
    sumToShape(mapBinary('mul', g, mapBinary('firstWins', a, b)), a.shape),
    sumToShape(mapBinary('mul', g, mapBinary('firstLoses', a, b)), b.shape),
  ]);
}

/** Element-wise min; where a = b the gradient goes to a. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return record(mapBinary('minimum', a, b), 'minimum', [a, b], (g) => [
    sumToShape(mapBinary('mul', g, mapBinary('firstWins', b, a)), a.shape),
    sumToShape(mapBinary('mul', g, mapBinary('firstLoses', b, a)), b.shape),
  ]);
}

/** PReLU: x for x > 0, slope·x otherwise; `slope` broadcasts (one shared value, or per channel). */
export function prelu(x: Tensor, slope: Tensor): Tensor {
  return record(mapBinary('prelu', x, slope), 'prelu', [x, slope], (g) => [
    sumToShape(mapBinary('mul', g, mapBinary('preluSlopeOrOne', x, slope)), x.shape),
    sumToShape(mapBinary('mul', g, mapBinary('preluNegativePart', x, slope)), slope.shape),
  ]);
}

/**
 * Element-wise binary ops with NumPy broadcasting (shaders/binary.wgsl). Gradients are written
 * with other ops and reduced to each input's shape by sumToShape, the one place that undoes
 * broadcasting. Float64 reference: src/reference/binary.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { elementwiseKernel } from './elementwise.ts';
import { collapseAxes, flatIndexCode } from './index_codegen.ts';
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
} as const;

type BinaryExpression = keyof typeof EXPRESSIONS;
/** The pipeline for `name` on equal shapes (rank irrelevant) or broadcasting to `rank` axes. */
function binaryKernel(name: BinaryExpression, same: boolean, rank: number, vec4: boolean): Kernel {
  const snippets = { EXPR: EXPRESSIONS[name], SAME: String(same), INDEX: same ? '' : flatIndexCode(rank, 'out_shape', ['ia', 'ib'], ['a_strides', 'b_strides']) };
  return elementwiseKernel(same ? `binary.${name}` : `binary.${name}.rank${rank}`, 'binary.wgsl', snippets, 2, vec4);
}

/**
 * a and b broadcast to y's shape, as binary.wgsl and prelu_backward.wgsl index them: the rank of
 * the collapsed axes, and the params { n, rank, same_shape, _, out_shape, a_strides, b_strides }.
 */
function broadcastParams(a: Tensor, b: Tensor, y: Tensor, same: boolean): { rank: number; params: Params } {
  const axes = collapseAxes(y.shape, [broadcastStrides(a.shape, y.shape), broadcastStrides(b.shape, y.shape)]);
  const params = new Params().u32(y.size).u32(axes.shape.length).u32(same ? 1 : 0).u32(0)
    .u32s(axes.shape, 2, 1).u32s(axes.strides[0], 2).u32s(axes.strides[1], 2);
  return { rank: axes.shape.length, params };
}

/** y = expr(a, b) with broadcasting, no gradient recorded. */
function mapBinary(name: BinaryExpression, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape.length > 8) throw new Error(`binary ops support rank ≤ 8`);
  const y = Tensor.empty(shape, name);
  if (y.size === 0) return y;
  const same = a.size === y.size && b.size === y.size;
  const vec4 = same && y.size % 4 === 0;
  const { rank, params } = broadcastParams(a, b, y, same);
  const rt = runtime();
  rt.dispatch(binaryKernel(name, same, rank, vec4), { inputs: [a, b], outputs: [y], params, workgroups: rt.grid1d(vec4 ? y.size / 4 : y.size, 256) });
  return y;
}

export function add(a: Tensor, b: Tensor): Tensor {
  return record(mapBinary('add', a, b), 'add', [a, b], (g) => [
    a.requiresGrad ? sumToShape(g, a.shape) : null,
    b.requiresGrad ? sumToShape(g, b.shape) : null,
  ]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  // a target (b without requiresGrad, as in a loss) costs no negation pass
  return record(mapBinary('sub', a, b), 'sub', [a, b], (g) => [
    a.requiresGrad ? sumToShape(g, a.shape) : null,
    b.requiresGrad ? sumToShape(neg(g), b.shape) : null,
  ]);
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

const preluBackwardKernels = new Map<number, Kernel>();
/** shaders/prelu_backward.wgsl for offsets over `rank` collapsed axes */
function preluBackwardKernel(rank: number): Kernel {
  let k = preluBackwardKernels.get(rank);
  if (!k) {
    k = {
      name: `prelu_backward.rank${rank}`, file: 'prelu_backward.wgsl', inputs: 3, outputs: 2, uniform: true,
      snippets: { INDEX: flatIndexCode(rank, 'out_shape', ['ia', 'ib'], ['x_strides', 'slope_strides']) },
    };
    preluBackwardKernels.set(rank, k);
  }
  return k;
}

/**
 * PReLU: x for x > 0, slope·x otherwise; `slope` broadcasts (one shared value, or per channel).
 * Backward: both gradients' terms in one pass (shaders/prelu_backward.wgsl), then each summed to
 * its input's shape (nothing to sum for x when it has y's shape); as element-wise ops they took
 * four passes before those sums.
 */
export function prelu(x: Tensor, slope: Tensor): Tensor {
  const y = mapBinary('prelu', x, slope);
  return record(y, 'prelu', [x, slope], (g) => {
    const dxTerms = Tensor.empty(y.shape, 'prelu.dx');
    const slopeTerms = Tensor.empty(y.shape, 'prelu.slope_terms');
    if (y.size) {
      const { rank, params } = broadcastParams(x, slope, y, false);
      const rt = runtime();
      rt.dispatch(preluBackwardKernel(rank), { inputs: [x, slope, g], outputs: [dxTerms, slopeTerms], params, workgroups: rt.grid1d(y.size, 256) });
    }
    return [
      x.requiresGrad ? sumToShape(dxTerms, x.shape) : null,
      slope.requiresGrad ? sumToShape(slopeTerms, slope.shape) : null,
    ];
  });
}

/**
 * Element-wise unary ops. Each row of the table is the whole op: its WGSL expression, and its
 * derivative as a WGSL expression in v and g, where v is the op's input or, when the
 * derivative is cheaper from it (exp, sqrt, tanh, sigmoid), its output.
 * Float64 reference: src/reference/unary.ts. Kernels: shaders/unary.wgsl, unary_backward.wgsl.
 */
import { record } from '../tensor/autograd.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { mapUnary, mapUnaryBackward } from './elementwise.ts';

interface UnaryRule {
  /** y as a WGSL expression of x and the scalars a, b */
  forward: string;
  /** which tensor the derivative reads as v */
  saves: 'input' | 'output';
  /** dL/dx as a WGSL expression of v, g (= dL/dy), a, b; null: zero gradient */
  backward: string | null;
}

export const UNARY_RULES = {
  neg: { forward: '-x', saves: 'input', backward: '-g' },
  sin: { forward: 'sin(x)', saves: 'input', backward: 'g * cos(v)' },
  cos: { forward: 'cos(x)', saves: 'input', backward: '-g * sin(v)' },
  exp: { forward: 'exp(x)', saves: 'output', backward: 'g * v' },
  log: { forward: 'log(x)', saves: 'input', backward: 'g / v' },
  sqrt: { forward: 'sqrt(x)', saves: 'output', backward: 'g * 0.5 / v' },
  abs: { forward: 'abs(x)', saves: 'input', backward: 'g * sign(v)' },
  sign: { forward: 'sign(x)', saves: 'input', backward: null },
  tanh: { forward: 'safe_tanh(x)', saves: 'output', backward: 'g * (1.0 - v * v)' },
  sigmoid: { forward: 'safe_sigmoid(x)', saves: 'output', backward: 'g * v * (1.0 - v)' },
  relu: { forward: 'max(x, 0.0)', saves: 'input', backward: 'select(0.0, g, v > 0.0)' },
  square: { forward: 'x * x', saves: 'input', backward: '2.0 * g * v' },
  reciprocal: { forward: '1.0 / x', saves: 'output', backward: '-g * v * v' },
  addScalar: { forward: 'x + a', saves: 'input', backward: 'g' },
  mulScalar: { forward: 'x * a', saves: 'input', backward: 'g * a' },
  powScalar: { forward: 'real_pow(x, a)', saves: 'input', backward: 'g * a * real_pow(v, a - 1.0)' },
  clamp: { forward: 'clamp(x, a, b)', saves: 'input', backward: 'select(0.0, g, v >= a && v <= b)' },
  /** sin(a·x): SIREN's activation, sin(ω0·z) */
  sinScaled: { forward: 'sin(a * x)', saves: 'input', backward: 'g * a * cos(a * v)' },
} satisfies Record<string, UnaryRule>;

export type UnaryOp = keyof typeof UNARY_RULES;

export function unary(op: UnaryOp, x: Tensor, a = 0, b = 0): Tensor {
  const rule: UnaryRule = UNARY_RULES[op];
  const y = mapUnary(op, rule.forward, x, a, b);
  return record(y, op, [x], (g) => {
    if (rule.backward === null) return [null];
    const v = rule.saves === 'input' ? x : y;
    return [mapUnaryBackward(op, rule.backward, v, g, a, b)];
  });
}

export const neg = (x: Tensor) => unary('neg', x);
export const sin = (x: Tensor) => unary('sin', x);
export const cos = (x: Tensor) => unary('cos', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const abs = (x: Tensor) => unary('abs', x);
export const sign = (x: Tensor) => unary('sign', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const relu = (x: Tensor) => unary('relu', x);
export const square = (x: Tensor) => unary('square', x);
export const reciprocal = (x: Tensor) => unary('reciprocal', x);
export const addScalar = (x: Tensor, c: number) => unary('addScalar', x, c);
export const mulScalar = (x: Tensor, c: number) => unary('mulScalar', x, c);
export const powScalar = (x: Tensor, p: number) => unary('powScalar', x, p);
export const clamp = (x: Tensor, lo: number, hi: number) => unary('clamp', x, lo, hi);
export const sinScaled = (x: Tensor, omega: number) => unary('sinScaled', x, omega);

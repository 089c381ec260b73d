/**
 * Elementwise unary ops. Each is a forward f(x) and a derivative f'(x) (given y = f(x) too,
 * so rules like tanh' = 1 − y² read naturally); backward is gradOut · f'(x).
 * Kink conventions (match PyTorch): abs' (0) = 0, relu'(0) = 0, sign' = 0 everywhere,
 * clamp' = 1 on the closed interval [lo, hi].
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs } from './tensor.ts';

export interface ScalarParams { c: number }
export interface PowParams { p: number }
export interface ClampParams { lo: number; hi: number }
export interface OmegaParams { omega: number }

/** sign with sign(0) = 0 (also for −0, which Math.sign would keep); NaN stays NaN. */
export function signOf(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN;
}

/** Numerically stable logistic: never evaluates exp of a large positive number. */
export function sigmoidOf(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function unaryOp<P = void>(
  name: string,
  f: (x: number, p: P) => number,
  df: (x: number, y: number, p: P) => number,
): RefOp<P> {
  return {
    name,
    forward(inputs: CpuTensor[], params: P): CpuTensor {
      expectInputs(name, inputs, 1);
      const [x] = inputs;
      return { shape: [...x.shape], data: x.data.map((v) => f(v, params)) };
    },
    backward(inputs: CpuTensor[], params: P, gradOut: CpuTensor): CpuTensor[] {
      expectInputs(name, inputs, 1);
      const [x] = inputs;
      const data = x.data.map((v, i) => gradOut.data[i] * df(v, f(v, params), params));
      return [{ shape: [...x.shape], data }];
    },
  };
}

export const neg = unaryOp('neg', (x) => -x, () => -1);
export const sin = unaryOp('sin', Math.sin, (x) => Math.cos(x));
export const cos = unaryOp('cos', Math.cos, (x) => -Math.sin(x));
export const exp = unaryOp('exp', Math.exp, (_x, y) => y);
export const log = unaryOp('log', Math.log, (x) => 1 / x);
export const sqrt = unaryOp('sqrt', Math.sqrt, (_x, y) => 0.5 / y);
export const abs = unaryOp('abs', Math.abs, (x) => signOf(x));
export const sign = unaryOp('sign', signOf, () => 0);
export const tanh = unaryOp('tanh', Math.tanh, (_x, y) => 1 - y * y);
export const sigmoid = unaryOp('sigmoid', sigmoidOf, (_x, y) => y * (1 - y));
export const relu = unaryOp('relu', (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
export const square = unaryOp('square', (x) => x * x, (x) => 2 * x);
export const reciprocal = unaryOp('reciprocal', (x) => 1 / x, (_x, y) => -y * y);

export const addScalar = unaryOp<ScalarParams>('addScalar', (x, { c }) => x + c, () => 1);
export const mulScalar = unaryOp<ScalarParams>('mulScalar', (x, { c }) => x * c, (_x, _y, { c }) => c);
/** x^p via Math.pow (NaN for negative x and non-integer p); d/dx = p·x^(p−1), and 0 when p = 0. */
export const powScalar = unaryOp<PowParams>(
  'powScalar',
  (x, { p }) => Math.pow(x, p),
  (x, _y, { p }) => (p === 0 ? 0 : p * Math.pow(x, p - 1)),
);
/** min(max(x, lo), hi); gradient 1 where lo ≤ x ≤ hi (edges included), else 0. */
export const clamp = unaryOp<ClampParams>(
  'clamp',
  (x, { lo, hi }) => Math.min(Math.max(x, lo), hi),
  (x, _y, { lo, hi }) => (x >= lo && x <= hi ? 1 : 0),
);
/** sin(ω·x), the SIREN activation; d/dx = ω·cos(ω·x). */
export const sinScaled = unaryOp<OmegaParams>(
  'sinScaled',
  (x, { omega }) => Math.sin(omega * x),
  (x, _y, { omega }) => omega * Math.cos(omega * x),
);

/**
 * Losses: mse(a, b) = mean((a − b)²), l1(a, b) = mean(|a − b|). Both inputs must have the same
 * shape (no broadcasting, so a shape mistake is an error rather than a silent mean over a
 * broadcast). Output is a scalar: shape [] and one element. Mean of nothing is NaN.
 * l1's gradient uses sign(a − b) with sign(0) = 0.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs } from './tensor.ts';
import { signOf } from './unary.ts';

function pair(name: string, inputs: CpuTensor[]): [CpuTensor, CpuTensor] {
  expectInputs(name, inputs, 2);
  const [a, b] = inputs;
  if (a.shape.join(',') !== b.shape.join(',')) {
    throw new Error(`${name}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
  return [a, b];
}

/** mean over elements of f(a − b); backward gives d/da = g · f'(a − b) / n and d/db = −d/da. */
function meanLoss(name: string, f: (d: number) => number, df: (d: number) => number): RefOp {
  return {
    name,
    forward(inputs) {
      const [a, b] = pair(name, inputs);
      let s = 0;
      for (let i = 0; i < a.data.length; i++) s += f(a.data[i] - b.data[i]);
      return { shape: [], data: Float64Array.of(s / a.data.length) };
    },
    backward(inputs, _params, g) {
      const [a, b] = pair(name, inputs);
      const scale = g.data[0] / a.data.length;
      const da = a.data.map((v, i) => scale * df(v - b.data[i]));
      return [
        { shape: [...a.shape], data: da },
        { shape: [...b.shape], data: da.map((v) => -v) },
      ];
    },
  };
}

export const mse = meanLoss('mse', (d) => d * d, (d) => 2 * d);
export const l1 = meanLoss('l1', Math.abs, signOf);

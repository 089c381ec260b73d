/**
 * Elementwise binary ops with NumPy broadcasting in both directions (e.g. [7, 1, 3] with
 * [5, 1] -> [7, 5, 3]). Backward computes each input's gradient at the broadcast output
 * shape, then `sumToShape` reduces it back to the input's shape.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { broadcastIndexMap, broadcastShapes, expectInputs, size, sumToShape } from './tensor.ts';

/** Partial derivatives of f(a, b), each already multiplied by the output gradient g. */
type BinaryGrad = (a: number, b: number, g: number) => [da: number, db: number];

export function binaryOp(name: string, f: (a: number, b: number) => number, grad: BinaryGrad): RefOp {
  /** The broadcast output shape and, per output element, the flat index into a and b. */
  const plan = (inputs: CpuTensor[]) => {
    expectInputs(name, inputs, 2);
    const [a, b] = inputs;
    const shape = broadcastShapes(a.shape, b.shape);
    return { a, b, shape, ia: broadcastIndexMap(shape, a.shape), ib: broadcastIndexMap(shape, b.shape) };
  };
  return {
    name,
    forward(inputs: CpuTensor[]): CpuTensor {
      const { a, b, shape, ia, ib } = plan(inputs);
      const data = new Float64Array(size(shape));
      for (let o = 0; o < data.length; o++) data[o] = f(a.data[ia[o]], b.data[ib[o]]);
      return { shape, data };
    },
    backward(inputs: CpuTensor[], _params: void, gradOut: CpuTensor): CpuTensor[] {
      const { a, b, shape, ia, ib } = plan(inputs);
      const ga = { shape, data: new Float64Array(size(shape)) }; // at the broadcast shape
      const gb = { shape, data: new Float64Array(size(shape)) };
      for (let o = 0; o < ga.data.length; o++) {
        [ga.data[o], gb.data[o]] = grad(a.data[ia[o]], b.data[ib[o]], gradOut.data[o]);
      }
      return [sumToShape(ga, a.shape), sumToShape(gb, b.shape)];
    },
  };
}

export const add = binaryOp('add', (a, b) => a + b, (_a, _b, g) => [g, g]);
export const sub = binaryOp('sub', (a, b) => a - b, (_a, _b, g) => [g, -g]);
export const mul = binaryOp('mul', (a, b) => a * b, (a, b, g) => [g * b, g * a]);
export const div = binaryOp('div', (a, b) => a / b, (a, b, g) => [g / b, (-g * a) / (b * b)]);
/** Ties (a === b) send the whole gradient to the first input a. */
export const maximum = binaryOp('maximum', (a, b) => Math.max(a, b), (a, b, g) => (a >= b ? [g, 0] : [0, g]));
/** Ties (a === b) send the whole gradient to the first input a. */
export const minimum = binaryOp('minimum', (a, b) => Math.min(a, b), (a, b, g) => (a <= b ? [g, 0] : [0, g]));
/** prelu(x, slope) = x > 0 ? x : slope·x; at x = 0 the gradient takes the slope side. */
export const prelu = binaryOp(
  'prelu',
  (x, s) => (x > 0 ? x : s * x),
  (x, s, g) => (x > 0 ? [g, 0] : [g * s, g * x]),
);

/**
 * Fully connected layers in PyTorch's layout:
 *   x [N, in], W [out, in], b [out]
 *   linear:     y = x·Wᵀ + b                 [N, out]
 *   sineLinear: y = sin(ω·(x·Wᵀ + b))        [N, out]   (a SIREN layer)
 * With dz the gradient at z = x·Wᵀ + b:  dx = dz·W,  dW = dzᵀ·x,  db = Σ_n dz.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs } from './tensor.ts';

export interface SineLinearParams { omega: number }

function check(name: string, inputs: CpuTensor[]): { x: CpuTensor; w: CpuTensor; b: CpuTensor; N: number; IN: number; OUT: number } {
  expectInputs(name, inputs, 3);
  const [x, w, b] = inputs;
  const ok = x.shape.length === 2 && w.shape.length === 2 && b.shape.length === 1 && x.shape[1] === w.shape[1] && b.shape[0] === w.shape[0];
  if (!ok) throw new Error(`${name}: expected x [N, in], W [out, in], b [out], got [${x.shape}], [${w.shape}], [${b.shape}]`);
  return { x, w, b, N: x.shape[0], IN: x.shape[1], OUT: w.shape[0] };
}

/** z = x·Wᵀ + b, [N, out]. */
export function linearForward(x: CpuTensor, w: CpuTensor, b: CpuTensor): CpuTensor {
  const { N, IN, OUT } = check('linear', [x, w, b]);
  const z = new Float64Array(N * OUT);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OUT; o++) {
      let s = b.data[o];
      for (let i = 0; i < IN; i++) s += x.data[n * IN + i] * w.data[o * IN + i];
      z[n * OUT + o] = s;
    }
  }
  return { shape: [N, OUT], data: z };
}

/** Gradients of x, W, b given dz, the gradient at z = x·Wᵀ + b. */
function linearBackward(x: CpuTensor, w: CpuTensor, b: CpuTensor, dz: Float64Array): CpuTensor[] {
  const { N, IN, OUT } = check('linear', [x, w, b]);
  const dx = new Float64Array(N * IN);
  const dw = new Float64Array(OUT * IN);
  const db = new Float64Array(OUT);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OUT; o++) {
      const d = dz[n * OUT + o];
      db[o] += d;
      for (let i = 0; i < IN; i++) {
        dx[n * IN + i] += d * w.data[o * IN + i];
        dw[o * IN + i] += d * x.data[n * IN + i];
      }
    }
  }
  return [
    { shape: [N, IN], data: dx },
    { shape: [OUT, IN], data: dw },
    { shape: [OUT], data: db },
  ];
}

export const linear: RefOp = {
  name: 'linear',
  forward(inputs) {
    const { x, w, b } = check('linear', inputs);
    return linearForward(x, w, b);
  },
  backward(inputs, _params, g) {
    const { x, w, b } = check('linear', inputs);
    return linearBackward(x, w, b, g.data);
  },
};

export const sineLinear: RefOp<SineLinearParams> = {
  name: 'sineLinear',
  forward(inputs, { omega }) {
    const { x, w, b } = check('sineLinear', inputs);
    const z = linearForward(x, w, b);
    return { shape: z.shape, data: z.data.map((v) => Math.sin(omega * v)) };
  },
  backward(inputs, { omega }, g) {
    const { x, w, b } = check('sineLinear', inputs);
    const z = linearForward(x, w, b);
    // dy/dz = ω·cos(ω·z)
    const dz = z.data.map((v, k) => g.data[k] * omega * Math.cos(omega * v));
    return linearBackward(x, w, b, dz);
  },
};

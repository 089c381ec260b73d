/**
 * Batched matrix product C = op(A)·op(B), op = identity or transpose of the last two axes.
 *   a: [..., M, K]  ([..., K, M] when transA)
 *   b: [..., K, N]  ([..., N, K] when transB)
 *   c: [...batch, M, N], batch = broadcast of the two batch shapes (a 2-D b is shared by every
 *   batch of a 3-D a). Both inputs need at least 2 axes.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { broadcastIndexMap, broadcastShapes, expectInputs, size, sumToShape } from './tensor.ts';

export interface MatmulParams {
  transA?: boolean;
  transB?: boolean;
}

export function matmulForward(a: CpuTensor, b: CpuTensor, transA = false, transB = false): CpuTensor {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(`matmul needs inputs with at least 2 axes, got [${a.shape}] and [${b.shape}]`);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [Kb, N] = transB ? [bc, br] : [br, bc];
  if (K !== Kb) {
    throw new Error(`matmul inner dimensions differ: [${a.shape}]${transA ? 'ᵀ' : ''} · [${b.shape}]${transB ? 'ᵀ' : ''}`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  // Flat batch index -> batch index of a and of b (broadcast).
  const mapA = broadcastIndexMap(batch, batchA);
  const mapB = broadcastIndexMap(batch, batchB);
  // Element (i, k) of op(A) within one matrix, and (k, j) of op(B).
  const atA = transA ? (i: number, k: number) => k * M + i : (i: number, k: number) => i * K + k;
  const atB = transB ? (k: number, j: number) => j * K + k : (k: number, j: number) => k * N + j;
  const out = { shape: [...batch, M, N], data: new Float64Array(size(batch) * M * N) };
  for (let p = 0; p < size(batch); p++) {
    const offA = mapA[p] * M * K;
    const offB = mapB[p] * K * N;
    const offC = p * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[offA + atA(i, k)] * b.data[offB + atB(k, j)];
        out.data[offC + i * N + j] = s;
      }
    }
  }
  return out;
}

export const matmul: RefOp<MatmulParams> = {
  name: 'matmul',
  forward(inputs, { transA = false, transB = false }) {
    expectInputs('matmul', inputs, 2);
    return matmulForward(inputs[0], inputs[1], transA, transB);
  },
  backward(inputs, { transA = false, transB = false }, g) {
    expectInputs('matmul', inputs, 2);
    const [a, b] = inputs;
    // With C = X·Y: dX = G·Yᵀ and dY = Xᵀ·G. When an input enters transposed, its gradient is
    // the transpose of that, which is rewritten as another product so no explicit transpose
    // is needed. Results come out at the full batch shape; sumToShape undoes batch broadcasting.
    let da: CpuTensor;
    let db: CpuTensor;
    if (!transA && !transB) {
      da = matmulForward(g, b, false, true); // G·Bᵀ
      db = matmulForward(a, g, true, false); // Aᵀ·G
    } else if (!transA && transB) {
      da = matmulForward(g, b, false, false); // G·B
      db = matmulForward(g, a, true, false); // (Aᵀ·G)ᵀ = Gᵀ·A
    } else if (transA && !transB) {
      da = matmulForward(b, g, false, true); // (G·Bᵀ)ᵀ = B·Gᵀ
      db = matmulForward(a, g, false, false); // A·G
    } else {
      da = matmulForward(b, g, true, true); // (G·B)ᵀ = Bᵀ·Gᵀ
      db = matmulForward(g, a, true, true); // (A·G)ᵀ = Gᵀ·Aᵀ
    }
    return [sumToShape(da, a.shape), sumToShape(db, b.shape)];
  },
};

/**
 * Batched matrix multiply with transpose flags (shaders/matmul.wgsl). The flags make the
 * transposes of the backward pass free: dA = dC·Bᵀ and dB = Aᵀ·dC are matmuls with flags, not
 * copies. Batch axes are shared, or one operand is 2-D and reused by every batch.
 * Float64 reference: src/reference/matmul.ts.
 */
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString, sizeOf } from '../tensor/tensor.ts';
import { matmulFamilyKernel, usesVec4Core } from './matmul_kernel.ts';
import { sumToShape } from './reduce.ts';
import { broadcastShapes } from './shape.ts';

export interface MatmulOptions {
  /** use Aᵀ: A is stored [..., K, M] */
  transA?: boolean;
  /** use Bᵀ: B is stored [..., N, K] */
  transB?: boolean;
}

const MATMUL = { name: 'matmul', file: 'matmul.wgsl', inputs: 2, outputs: 1, uniform: true };

/** C = op(A)·op(B) recorded without autograd. */
function matmulRaw(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul needs rank ≥ 2 operands, got ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [K2, N] = transB ? [bc, br] : [br, bc];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchA = sizeOf(aBatch);
  const batchB = sizeOf(bBatch);
  // Batches are flattened: they must match (up to leading 1s), or one side is a single matrix.
  if (K !== K2 || !(batchA === batchB || batchA === 1 || batchB === 1)) {
    throw new Error(`matmul: ${shapeString(a.shape)}${transA ? 'ᵀ' : ''} · ${shapeString(b.shape)}${transB ? 'ᵀ' : ''} do not fit`);
  }
  const batchShape = broadcastShapes(aBatch, bBatch); // throws for [2,3] against [3,2]
  const batch = Math.max(batchA, batchB);
  const c = Tensor.empty([...batchShape, M, N], 'matmul');
  if (c.size === 0) return c;
  const rt = runtime();
  if (batch > rt.limits.maxComputeWorkgroupsPerDimension) throw new Error(`matmul: batch ${batch} is over the grid limit`);
  const params = new Params().u32(M).u32(N).u32(K).u32(batchA === 1 ? 0 : M * K).u32(batchB === 1 ? 0 : K * N);
  rt.dispatch(matmulFamilyKernel(MATMUL, transA, transB, usesVec4Core(M, N, K, transA)), {
    inputs: [a, b], outputs: [c], params, workgroups: [Math.ceil(N / 64), Math.ceil(M / 64), batch],
  });
  return c;
}

export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const tA = !!options.transA;
  const tB = !!options.transB;
  const c = matmulRaw(a, b, tA, tB);
  return record(c, 'matmul', [a, b], (g) => {
    // Each rule keeps the stored layout of the operand it differentiates (see the table in docs).
    const ga = !a.requiresGrad ? null
      : tA ? matmulRaw(b, g, tB, true) // A stored [K,M]: dA = op(B)·dCᵀ
        : matmulRaw(g, b, false, !tB); // dA = dC·op(B)ᵀ
    const gb = !b.requiresGrad ? null
      : tB ? matmulRaw(g, a, true, tA) // B stored [N,K]: dB = dCᵀ·op(A)
        : matmulRaw(a, g, !tA, false); // dB = op(A)ᵀ·dC
    return [ga && sumToShape(ga, a.shape), gb && sumToShape(gb, b.shape)];
  });
}

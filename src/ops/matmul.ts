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
import { WAVE_THREADS, matmulPlan, transposedForPlainCore } from './matmul_kernel.ts';
import { sum, sumToShape } from './reduce.ts';
import { broadcastShapes, reshape } from './shape.ts';

export interface MatmulOptions {
  /** use Aᵀ: A is stored [..., K, M] */
  transA?: boolean;
  /** use Bᵀ: B is stored [..., N, K] */
  transB?: boolean;
}

const MATMUL = { name: 'matmul', file: 'matmul.wgsl', inputs: 2, outputs: 1, uniform: true };

/** Products with more invocations than this fill the GPU unsplit (a 1024³ product has 65,536). */
const SPLIT_MAX_THREADS = 128 * 256;
/**
 * The shortest K slice worth a workgroup of its own: 256 for the vec4 core (64 vec4 loads a
 * thread), 32 for the scalar core, whose thin products (a SIREN's first- and last-layer weight
 * gradients, 1–2 outputs per column of 16,384 pixels) have too few invocations to fill a GPU
 * with anything longer: each thread's loop runs at the latency of its loads.
 */
const MIN_SLICE_VEC4 = 256;
const MIN_SLICE_SCALAR = 32;

/**
 * `force` fixes the number of K slices regardless of adapter and shape (tests check the split path
 * on SwiftShader); `threads` is the invocations the slices aim for: one wave (WAVE_THREADS), as
 * for the slices within a workgroup. Two waves (TARGET_THREADS, sessions 8–11) ran the H100's SIREN
 * steps 1–7% slower; DIDFuse's training step moved by 2–3% either way, within its rounds' spread
 * (bench/RESULTS.md, session 12).
 */
export const matmulSplit: { force: number | null; threads: number } = { force: null, threads: WAVE_THREADS };

/**
 * K slices for a product: the weight gradients (a 256×256 output summed over 16,384 pixels) are
 * a few 64×64 tiles, so a few workgroups would each loop over all of K while the rest of the GPU
 * idles (8% of the matmul ceiling on an H200). Cutting K into slices, each a workgroup with a
 * partial [M, N] plane, and summing the planes fills the GPU. Not with 'cpu' tuning
 * (SwiftShader): its two threads are busy with 16 tiles already, and the planes would only add
 * traffic.
 */
function kSlices(threads: number, K: number, vec4: boolean): number {
  if (matmulSplit.force) return matmulSplit.force;
  if (runtime().tuning === 'cpu' || threads > SPLIT_MAX_THREADS) return 1;
  const minSlice = vec4 ? MIN_SLICE_VEC4 : MIN_SLICE_SCALAR;
  return Math.max(1, Math.min(Math.floor(matmulSplit.threads / threads), Math.floor(K / minSlice)));
}

/**
 * How a product of `threads` invocations splits K across workgroups (kSlices): `kSlice` values
 * of K a slice, a whole number of vec4s so that the vec4 core's loads stay aligned, and the
 * `slices` that makes. Also the split of src/ops/siren_mlp_backward.ts's weight gradients.
 */
export function splitK(threads: number, K: number, vec4: boolean): { kSlice: number; slices: number } {
  const kSlice = Math.max(4, Math.ceil(K / kSlices(threads, K, vec4) / 4) * 4);
  return { kSlice, slices: Math.max(1, Math.ceil(K / kSlice)) };
}

/**
 * C = op(A)·op(B) without autograd, as the K slices' partial products when K is split across
 * workgroups: [batch, slices, M, N] (slices = 1 when not split), whose sum over the slices is C
 * [..., M, N]. Returned unsummed so that a caller can fold that sum into another pass.
 */
function matmulSlices(a: Tensor, b: Tensor, transA: boolean, transB: boolean): { planes: Tensor; outShape: number[] } {
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
  const outShape = [...batchShape, M, N];
  if (sizeOf(outShape) === 0) return { planes: Tensor.empty([batch, 1, M, N], 'matmul'), outShape };
  const bCopy = transB ? transposedForPlainCore(b, M, N, K, transA) : null; // [..., K, N]
  if (bCopy) {
    const product = matmulSlices(a, bCopy, transA, false);
    bCopy.dispose();
    return product;
  }
  const rt = runtime();
  const plan = matmulPlan(MATMUL, transA, transB, M, N, K);
  const tiles = plan.tiles;
  const workgroups = tiles[0] * tiles[1] * batch;
  const { kSlice, slices } = splitK(workgroups * plan.threads, K, plan.vec4);
  if (batch * slices > rt.limits.maxComputeWorkgroupsPerDimension) throw new Error(`matmul: batch ${batch} is over the grid limit`);
  const planes = Tensor.empty([batch, slices, M, N], slices > 1 ? 'matmul.split_k' : 'matmul');
  const params = new Params().u32(M).u32(N).u32(K).u32(batchA === 1 ? 0 : M * K).u32(batchB === 1 ? 0 : K * N).u32(slices > 1 ? kSlice : Math.max(K, 1));
  rt.dispatch(plan.kernel, {
    inputs: [a, b], outputs: [planes], params, workgroups: [tiles[0], tiles[1], batch * slices],
  });
  return { planes, outShape };
}

/** C = op(A)·op(B) recorded without autograd. */
function matmulRaw(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const { planes, outShape } = matmulSlices(a, b, transA, transB);
  const summed = planes.shape[1] === 1 ? planes : sum(planes, { axes: 1 }); // [batch, M, N]
  const out = reshape(summed, outShape); // a view: it keeps the buffer
  planes.dispose();
  if (summed !== planes) summed.dispose();
  return out;
}

/**
 * The K slices of op(A)·op(B) for 2-D operands, without autograd: [slices, M, N], whose sum over
 * the first axis is the product (one slice when K is not split).
 */
export function matmulPartials(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`matmulPartials: 2-D operands, not ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  const { planes } = matmulSlices(a, b, !!options.transA, !!options.transB);
  const view = reshape(planes, planes.shape.slice(1));
  planes.dispose();
  return view;
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

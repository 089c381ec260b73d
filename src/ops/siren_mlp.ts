/**
 * A SIREN (sine layers, then a linear one) as one op, so that its backward can fuse across
 * layers. The gradient at a layer's input, dx = dz·W, is the gradient at the previous layer's
 * output: the kernel that computes it (shaders/siren_mlp_backward.wgsl) also applies that
 * layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and sums each tile's rows of its db. The chain of
 * sineLinear ops computes dz in a pass of its own, which reads dx back (sine_linear_backward.wgsl):
 * here each layer but the last has one pass, and one write and read of [points, width], fewer.
 * Each layer's dW (split into K slices on GPUs) and db end in two sums; that kernel's workgroups
 * also run the sums of the layer after it (companionSums): a pass fewer per layer.
 * Forward: each layer's own kernel (src/ops/sine_linear.ts layerForward), as sineLinear's, with
 * the weights those kernels read transposed copied first, in one pass.
 * Shapes: x [M, in]; layers { weight [out, in], bias [out] } → [M, out of the last].
 * Float64 reference: src/reference/siren_mlp.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor } from '../tensor/tensor.ts';
import { matmulPlan } from './matmul_kernel.ts';
import { pairSums, type PairSums } from './reduce.ts';
import { finishGradients, forwardWeightCopies, gradientParts, layerForward, pairedGradientParts } from './sine_linear.ts';

export interface MlpLayer {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}

/** workgroup memory of the kernel's column sums: a float per invocation and column of its block */
const COLUMN_SUM_BYTES = 4;
/** storage buffers of the kernel with a companion: A, B, Z, the pair's two, DZ, PARTIAL, the pair's two sums */
const COMPANION_BUFFERS = 9;
/** the params of pair_sums.wgsl where no companion runs (PairSums.fields: 7 of them) */
const PAIR_FIELDS_UNUSED = [0, 0, 0, 0, 0, 0, 0];

/** The kernel (shaders/siren_mlp_backward.wgsl), with or without a companion's bindings and call. */
const THROUGH_SINE: Record<'alone' | 'companion', Kernel> = {
  alone: {
    name: 'siren_mlp_backward', file: 'siren_mlp_backward.wgsl', inputs: 3, outputs: 2, uniform: true,
    snippets: { DZ_BINDING: '3', PARTIAL_BINDING: '4', PARAMS_BINDING: '5', COMPANION_DECLARATIONS: '', COMPANION_CALL: '' }, // companion_rows = 0
  },
  companion: {
    name: 'siren_mlp_backward.companion', file: 'siren_mlp_backward.wgsl', inputs: 5, outputs: 4, uniform: true,
    snippets: {
      DZ_BINDING: '5', PARTIAL_BINDING: '6', PARAMS_BINDING: '9',
      COMPANION_DECLARATIONS: [
        '@group(0) @binding(3) var<storage, read> PAIR_A: array<f32>;',
        '@group(0) @binding(4) var<storage, read> PAIR_B: array<f32>;',
        '@group(0) @binding(7) var<storage, read_write> PAIR_SA: array<f32>;',
        '@group(0) @binding(8) var<storage, read_write> PAIR_SB: array<f32>;',
        '#include "pair_sums.wgsl"',
      ].join('\n'),
      COMPANION_CALL: '    pair_sums(grid_id.y * nwg.x + grid_id.x, index);',
    },
  },
};

/**
 * Whether the previous layer's sums run beside each product through the sine (see
 * throughSine): 4 dispatches fewer in a 5-layer SIREN's step. Off for an A/B.
 */
export const companionSums = { enabled: true };

/**
 * From dz [M, K] at layer l's pre-activation, through its weight W [K, N] and the previous
 * layer's sine: dz_prev = (dz·W)·ω·cos(ω·z_prev), and the column sums of each tile's rows of
 * dz_prev, [tile rows, N], whose sum is db_prev. With `companion` (the sums that finish layer
 * l's own dW and db, ready before this dispatch), rows of workgroups before the product's tiles
 * run those too, where the kernel has 256 invocations and the adapter the bindings.
 * Returns whether the companion ran; if not, its sums are the caller's to make.
 */
function throughSine(dz: Tensor, w: Tensor, zPrev: Tensor, omega: number, companion: PairSums | null): { dz: Tensor; dbPartial: Tensor; companionRan: boolean } {
  const [M, K] = dz.shape;
  const N = w.shape[1];
  if (M === 0) return { dz: Tensor.empty([0, N], 'siren_mlp.dz'), dbPartial: zeros([1, N]), companionRan: false }; // a sum of no rows
  const rt = runtime();
  // pair_sums.wgsl wants 256 invocations; its 1 KiB of workgroup memory fits beside any such
  // tile (at most 13 KiB with 4 K slices of 4×4 blocks: 14 of WebGPU's least 16 KiB)
  const companionPlan = companion && rt.limits.maxStorageBuffersPerShaderStage >= COMPANION_BUFFERS
    ? matmulPlan(THROUGH_SINE.companion, false, false, M, N, K, COLUMN_SUM_BYTES) : null;
  const withCompanion = companionPlan?.threads === 256 ? companion : null;
  const plan = withCompanion && companionPlan ? companionPlan : matmulPlan(THROUGH_SINE.alone, false, false, M, N, K, COLUMN_SUM_BYTES);
  const dzPrev = Tensor.empty([M, N], 'siren_mlp.dz');
  const partial = Tensor.empty([plan.tiles[1], N], 'siren_mlp.db_partial'); // a row per tile row
  const [tilesX, tilesY] = plan.tiles;
  const companionRows = withCompanion ? Math.ceil(withCompanion.groups / tilesX) : 0; // its groups first
  const params = new Params().u32(M).u32(N).u32(K).f32(omega).u32(companionRows);
  for (const field of withCompanion?.fields ?? PAIR_FIELDS_UNUSED) params.u32(field);
  rt.dispatch(plan.kernel, {
    inputs: withCompanion ? [dz, w, zPrev, ...withCompanion.inputs] : [dz, w, zPrev],
    outputs: withCompanion ? [dzPrev, partial, ...withCompanion.outputs] : [dzPrev, partial],
    params, workgroups: [tilesX, companionRows + tilesY],
  });
  return { dz: dzPrev, dbPartial: partial, companionRan: !!withCompanion };
}

/** sin(ω·(x·W₀ᵀ + b₀)), then each layer's sine likewise, and the last layer linear. */
export function sirenMlp(x: Tensor, layers: readonly MlpLayer[], omega: number): Tensor {
  if (layers.length === 0) throw new Error('sirenMlp: no layers');
  const last = layers.length - 1;
  const params = layers.flatMap((l) => [l.weight, l.bias]);
  const keepZ = isGradEnabled() && [x, ...params].some((t) => t.requiresGrad);
  const inputs: Tensor[] = []; // each layer's input: the backward's dW = dzᵀ·input
  const zs: (Tensor | null)[] = [];
  const wCopies = forwardWeightCopies(x.shape[0], layers.map((layer) => layer.weight));
  let h = x;
  layers.forEach((layer, l) => {
    inputs.push(h);
    const { y, z } = layerForward(h, layer.weight, layer.bias, l < last ? omega : null, keepZ, wCopies[l]);
    zs.push(z);
    h = y;
  });
  for (const copy of wCopies) copy?.dispose();
  return record(h, 'sirenMlp', [x, ...params], (g) => {
    const grads: (Tensor | null)[] = [x, ...params].map(() => null);
    let dz = g; // the gradient at layer l's pre-activation (the last layer is linear: at its output)
    let dbPartial: Tensor | null = null; // partial column sums of dz, when the fused kernel made them
    for (let l = last; l >= 0; l--) {
      const { weight, bias } = layers[l];
      // a layer's input past the first is this op's own, recorded by no one: no dx is made for it
      const parts = gradientParts(dz, inputs[l], weight, bias, dbPartial);
      if (l === 0) {
        grads[0] = parts.dx;
        [grads[1], grads[2]] = finishGradients(parts);
        break;
      }
      const z = zs[l - 1];
      if (!z) throw new Error('sirenMlp: z was not kept');
      // this layer's last sums beside the next product, or in a pass of their own
      const paired = companionSums.enabled ? pairedGradientParts(parts) : null;
      const companion = paired && pairSums(...paired);
      let companionRan: boolean;
      ({ dz, dbPartial, companionRan } = throughSine(dz, weight, z, omega, companion));
      if (companion && companionRan) [grads[1 + 2 * l], grads[2 + 2 * l]] = companion.sums;
      else {
        companion?.sums.forEach((t) => t.dispose());
        [grads[1 + 2 * l], grads[2 + 2 * l]] = finishGradients(parts);
      }
    }
    return grads;
  });
}

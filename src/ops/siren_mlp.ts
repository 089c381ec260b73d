/**
 * A SIREN (sine layers, then a linear one) as one op, so that its backward can fuse across
 * layers. The gradient at a layer's input, dx = dz·W, is the gradient at the previous layer's
 * output: the kernel that computes it (shaders/siren_mlp_backward.wgsl) also applies that
 * layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and sums each tile's rows of its db. The chain of
 * sineLinear ops computes dz in a pass of its own, which reads dx back (sine_linear_backward.wgsl):
 * here each layer but the last has one pass, and one write and read of [points, width], fewer.
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
import { forwardWeightCopies, layerForward, layerGradients } from './sine_linear.ts';

export interface MlpLayer {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}

const THROUGH_SINE: Kernel = { name: 'siren_mlp_backward', file: 'siren_mlp_backward.wgsl', inputs: 3, outputs: 2, uniform: true };
/** workgroup memory of the kernel's column sums: a float per invocation and column of its block */
const COLUMN_SUM_BYTES = 4;

/**
 * From dz [M, K] at layer l's pre-activation, through its weight W [K, N] and the previous
 * layer's sine: dz_prev = (dz·W)·ω·cos(ω·z_prev), and the column sums of each tile's rows of
 * dz_prev, [tile rows, N], whose sum is db_prev.
 */
function throughSine(dz: Tensor, w: Tensor, zPrev: Tensor, omega: number): { dz: Tensor; dbPartial: Tensor } {
  const [M, K] = dz.shape;
  const N = w.shape[1];
  if (M === 0) return { dz: Tensor.empty([0, N], 'siren_mlp.dz'), dbPartial: zeros([1, N]) }; // a sum of no rows
  const plan = matmulPlan(THROUGH_SINE, false, false, M, N, K, COLUMN_SUM_BYTES);
  const dzPrev = Tensor.empty([M, N], 'siren_mlp.dz');
  const partial = Tensor.empty([plan.tiles[1], N], 'siren_mlp.db_partial'); // a row per tile row
  runtime().dispatch(plan.kernel, {
    inputs: [dz, w, zPrev], outputs: [dzPrev, partial], params: new Params().u32(M).u32(N).u32(K).f32(omega), workgroups: plan.tiles,
  });
  return { dz: dzPrev, dbPartial: partial };
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
      const [dx, dw, db] = layerGradients(dz, inputs[l], weight, bias, dbPartial);
      [grads[1 + 2 * l], grads[2 + 2 * l]] = [dw, db];
      if (l === 0) grads[0] = dx;
      else {
        const z = zs[l - 1];
        if (!z) throw new Error('sirenMlp: z was not kept');
        ({ dz, dbPartial } = throughSine(dz, weight, z, omega));
      }
    }
    return grads;
  });
}

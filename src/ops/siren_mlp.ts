/**
 * A SIREN (sine layers, then a linear one) as one op, so that its backward can fuse across
 * layers. The gradient at a layer's input, dx = dz·W, is the gradient at the previous layer's
 * output: the kernel that computes it (src/ops/siren_mlp_backward.ts) also applies that
 * layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and sums each tile's rows of its db. The chain of
 * sineLinear ops computes dz in a pass of its own, which reads dx back (sine_linear_backward.wgsl):
 * here each layer but the last has one pass, and one write and read of [points, width], fewer.
 * Each layer's dW (split into K slices on GPUs) and db end in two sums; that kernel's workgroups
 * also run the sums of the layer after it (companionSums): a pass fewer per layer. It can also
 * make the layer's dW itself (weightGradientBeside), which then needs no pass of its own.
 * Forward: each layer's own kernel (src/ops/sine_linear.ts layerForward), as sineLinear's, with
 * the weights those kernels read transposed copied first, in one pass, which on GPUs also runs the
 * first layer (src/ops/siren_mlp_forward.ts).
 * Shapes: x [M, in]; layers { weight [out, in], bias [out] } → [M, out of the last].
 * Float64 reference: src/reference/siren_mlp.ts.
 */
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { pairSums, type PairSums } from './reduce.ts';
import { layerGradientRole, throughSine } from './siren_mlp_backward.ts';
import { firstPass } from './siren_mlp_forward.ts';
import { finishGradients, forwardWeightCopies, gradientParts, layerForward, pairedGradientParts, type GradientParts } from './sine_linear.ts';

export interface MlpLayer {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}

/**
 * Whether the previous layer's sums run beside each product through the sine (see
 * throughSine): 4 dispatches fewer in a 5-layer SIREN's step. Off for an A/B.
 */
export const companionSums = { enabled: true };

/**
 * Whether a layer's dW = dzᵀ·x is made in the dispatch of its product through the sine: both read
 * dz, so neither waits for the other. A hidden layer's is a product in rows of its own
 * (siren_mlp_weight_gradient.wgsl): at 64² each of the two products is half a wave on an H100 and
 * a barrier costs 3.4–4.0 µs (bench/RESULTS.md), so the pair in one dispatch fills the GPU once,
 * not half of it twice. The last layer's (1 output) is summed in the epilogue. Each layer's last
 * sums then wait for the next product's companion. A 64² step has three dispatches fewer. Off
 * until an A/B on a GPU (`npm run bench:ab`) measures it, unless FUSEGRAD_DW_BESIDE=1 at start
 * (for `bench:profile`); `force` makes the choice on any tuning (tests).
 */
export const weightGradientBeside: { enabled: boolean; force: boolean | null } = {
  enabled: typeof process !== 'undefined' && process.env?.FUSEGRAD_DW_BESIDE === '1',
  force: null,
};

/** The first layer's inputs that its dW's sums in the epilogue take (a SIREN's 2 coordinates). */
const FIRST_INPUTS_MOST = 4;

/**
 * Whether the first layer's dW = dz₀ᵀ·x₀ is made by the epilogue of the product that makes dz₀,
 * as column sums of dz₀ weighted by each input, where x₀ has at most 4 columns: the pass of a
 * thin product (a column of points summed into 256×2 outputs) fewer. GPU tuning only: on
 * SwiftShader, where a pass costs little, the 16×16 block's epilogue with three sums a column
 * took 0.4–0.7 s more to compile and ran a 4×64 SIREN's step on 1,024 points in 44–46 ms
 * against 38–39. `force` makes the choice on any tuning (tests).
 */
export const firstLayerSums: { enabled: boolean; force: boolean | null } = { enabled: true, force: null };

/** Whether throughSine makes layer l's dW from dz [M, K] and x [M, N] beside its product (see layerGradientRole). */
function weightGradientFits(M: number, N: number, K: number): boolean {
  if (!(weightGradientBeside.force ?? (weightGradientBeside.enabled && runtime().tuning === 'gpu'))) return false;
  return layerGradientRole(M, N, K) !== null; // the other roles join where their bindings fit too
}

const takesFirstLayerSums = (): boolean => firstLayerSums.force ?? (firstLayerSums.enabled && runtime().tuning === 'gpu');

/** sin(ω·(x·W₀ᵀ + b₀)), then each layer's sine likewise, and the last layer linear. */
export function sirenMlp(x: Tensor, layers: readonly MlpLayer[], omega: number): Tensor {
  if (layers.length === 0) throw new Error('sirenMlp: no layers');
  const last = layers.length - 1;
  const params = layers.flatMap((l) => [l.weight, l.bias]);
  const keepZ = isGradEnabled() && [x, ...params].some((t) => t.requiresGrad);
  const inputs: Tensor[] = []; // each layer's input: the backward's dW = dzᵀ·input
  const zs: (Tensor | null)[] = [];
  // the first layer and the later layers' weight copies in one pass where they can share it
  const first = firstPass(x, layers, omega, keepZ);
  const wCopies = first?.copies ?? forwardWeightCopies(x.shape[0], layers.map((layer) => layer.weight));
  let h = x;
  layers.forEach((layer, l) => {
    inputs.push(h);
    const { y, z } = l === 0 && first ? first : layerForward(h, layer.weight, layer.bias, l < last ? omega : null, keepZ, wCopies[l]);
    zs.push(z);
    h = y;
  });
  for (const copy of wCopies) copy?.dispose();
  return record(h, 'sirenMlp', [x, ...params], (g) => {
    const grads: (Tensor | null)[] = [x, ...params].map(() => null);
    /** layer l's dW and db: the sums its companion made where it ran, else a pass of their own */
    const finish = (l: number, parts: GradientParts, companion: PairSums | null, companionRan: boolean): void => {
      if (companion && companionRan) [grads[1 + 2 * l], grads[2 + 2 * l]] = companion.sums;
      else {
        companion?.sums.forEach((t) => t.dispose());
        [grads[1 + 2 * l], grads[2 + 2 * l]] = finishGradients(parts);
      }
    };
    /** a layer's last sums, to run beside the next product (null: in a pass of their own) */
    const companionOf = (parts: GradientParts): PairSums | null => {
      const paired = companionSums.enabled ? pairedGradientParts(parts) : null;
      return paired && pairSums(...paired);
    };
    let dz = g; // the gradient at layer l's pre-activation (the last layer is linear: at its output)
    let dbPartial: Tensor | null = null; // partial column sums of dz, when the fused kernel made them
    // a layer whose dW was made beside its product through the sine: its sums wait for the next
    let waiting: { layer: number; parts: GradientParts } | null = null;
    let firstPartial: Tensor | null = null; // the first layer's dW parts, when the last product's epilogue made them
    for (let l = last; l >= 0; l--) {
      const { weight, bias } = layers[l];
      const z = l > 0 ? zs[l - 1] : null;
      if (l > 0 && !z) throw new Error('sirenMlp: z was not kept');
      // the product that makes the first layer's dz can also make its dW's first sums
      const firstX = l === 1 && takesFirstLayerSums() && layers[0].weight.requiresGrad && inputs[0].shape[1] <= FIRST_INPUTS_MOST ? inputs[0] : null;
      if (z && weight.requiresGrad && weightGradientFits(dz.shape[0], weight.shape[1], weight.shape[0])) {
        const companion = waiting && companionOf(waiting.parts);
        const made = throughSine(dz, weight, z, omega, { companion, x: inputs[l], firstX });
        if (waiting) finish(waiting.layer, waiting.parts, companion, made.companionRan);
        waiting = { layer: l, parts: gradientParts(dz, inputs[l], weight, bias, dbPartial, made.dwSlices) };
        ({ dz, dbPartial, firstPartial } = made);
        continue;
      }
      if (waiting) finish(waiting.layer, waiting.parts, null, false);
      waiting = null;
      // a layer's input past the first is this op's own, recorded by no one: no dx is made for it
      const parts = gradientParts(dz, inputs[l], weight, bias, dbPartial, firstPartial);
      if (!z) { // the first layer
        grads[0] = parts.dx;
        finish(0, parts, null, false);
        break;
      }
      // this layer's last sums beside the next product, or in a pass of their own
      const companion = companionOf(parts);
      let companionRan: boolean;
      ({ dz, dbPartial, firstPartial, companionRan } = throughSine(dz, weight, z, omega, { companion, x: null, firstX }));
      finish(l, parts, companion, companionRan);
    }
    return grads;
  });
}

/**
 * A SIREN (sine layers, then a linear one) as one op, so that its backward can fuse across
 * layers. The gradient at a layer's input, dx = dz·W, is the gradient at the previous layer's
 * output: the kernel that computes it (src/ops/siren_mlp_backward.ts) also applies that
 * layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and sums each tile's rows of its db. The chain of
 * sineLinear ops computes dz in a pass of its own, which reads dx back (sine_linear_backward.wgsl):
 * here each layer but the last has one pass, and one write and read of [points, width], fewer.
 * Each layer's dW (split into K slices on GPUs) and db end in two sums, which wait in a queue for
 * the next such kernel with room for them: its workgroups also run the sums of the oldest layer
 * waiting (companionSums), a pass fewer per layer; what is left at the end takes passes of two
 * layers each. The kernel can also make the layer's dW itself (weightGradientBeside, and
 * lastLayerSums for a last layer of ≤ 3 outputs), which then needs no pass of its own.
 * Forward: each layer's own kernel (src/ops/sine_linear.ts layerForward), as sineLinear's, with
 * the weights those kernels read transposed copied first, in one pass, which on GPUs also runs the
 * first layer (src/ops/siren_mlp_forward.ts).
 * Shapes: x [M, in]; layers { weight [out, in], bias [out] } → [M, out of the last].
 * Float64 reference: src/reference/siren_mlp.ts.
 */
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, runtime } from '../tensor/context.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { joinPairSums, pairSums, runPairSums, type PairSums } from './reduce.ts';
import { layerGradientRole, throughSine } from './siren_mlp_backward.ts';
import { firstPass } from './siren_mlp_forward.ts';
import { finishGradients, forwardWeightCopies, gradientParts, layerForward, pairedGradientParts, type GradientParts } from './sine_linear.ts';

export interface MlpLayer {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}

/**
 * Whether the oldest waiting layer's sums run beside each product through the sine (see
 * throughSine): 4 dispatches fewer in a 5-layer SIREN's step. Off for an A/B: each layer's sums
 * then take a pass of their own as soon as they are ready.
 */
export const companionSums = { enabled: true };

/**
 * Whether a layer's dW = dzᵀ·x is made in the dispatch of its product through the sine: both read
 * dz, so neither waits for the other. A hidden layer's is a product in rows of its own
 * (siren_mlp_weight_gradient.wgsl): at 64² each of the two products is half a wave on an H100 and
 * a barrier costs 3.4–4.0 µs (bench/RESULTS.md), so the pair in one dispatch fills the GPU once,
 * not half of it twice. Each layer's last sums then wait for the next product's companion. A 64²
 * step has two dispatches fewer (three where 13 bindings fit the last product's roles). Off
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

/**
 * Whether the last layer's dW = dzᵀ·x, where it has at most 3 outputs (a SIREN's 1), is summed by
 * the epilogue of its product through the sine, as column sums of x weighted by each output's dz
 * (the OWN role of shaders/siren_mlp_backward.wgsl): the pass of a thin product (a column of
 * points summed into 1×256 outputs) fewer. Every layer's sums then run one companion later, and
 * the first two layers' share the last pass. GPU tuning only, as firstLayerSums; `force` makes
 * the choice on any tuning (tests).
 */
export const lastLayerSums: { enabled: boolean; force: boolean | null } = { enabled: true, force: null };

/** Whether throughSine makes layer l's dW from dz [M, K] and x [M, N] beside its product (see layerGradientRole). */
function weightGradientFits(M: number, N: number, K: number): boolean {
  const role = layerGradientRole(M, N, K); // the other roles join where their bindings fit too
  if (!role) return false;
  const gpu = runtime().tuning === 'gpu';
  if (role.ownOutputs) return lastLayerSums.force ?? (lastLayerSums.enabled && gpu);
  return weightGradientBeside.force ?? (weightGradientBeside.enabled && gpu);
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
    /** layers whose dW and db wait for their last sums, oldest first (each one pair: pairSums) */
    const pending: { layer: number; plan: PairSums }[] = [];
    /** layer l's last sums: queued for a companion, or made now where they are not one pair or companions are off */
    const queue = (l: number, parts: GradientParts): void => {
      const paired = companionSums.enabled ? pairedGradientParts(parts) : null;
      const plan = paired && pairSums(...paired);
      if (plan) pending.push({ layer: l, plan });
      else [grads[1 + 2 * l], grads[2 + 2 * l]] = finishGradients(parts);
    };
    /** the first `count` queued layers' sums were made: their dW and db */
    const made = (count: number): void => {
      for (const { layer, plan } of pending.splice(0, count)) [grads[1 + 2 * layer], grads[2 + 2 * layer]] = plan.sums;
    };
    let dz = g; // the gradient at layer l's pre-activation (the last layer is linear: at its output)
    let dbPartial: Tensor | null = null; // partial column sums of dz, when the fused kernel made them
    let firstPartial: Tensor | null = null; // the first layer's dW parts, when the last product's epilogue made them
    for (let l = last; l >= 0; l--) {
      const { weight, bias } = layers[l];
      if (l === 0) { // the first layer: no sine before it, no product through one
        const parts = gradientParts(dz, inputs[0], weight, bias, dbPartial, firstPartial);
        grads[0] = parts.dx;
        queue(0, parts);
        break;
      }
      const z = zs[l - 1];
      if (!z) throw new Error('sirenMlp: z was not kept');
      // the product that makes the first layer's dz can also make its dW's first sums
      const firstX = l === 1 && takesFirstLayerSums() && layers[0].weight.requiresGrad && inputs[0].shape[1] <= FIRST_INPUTS_MOST ? inputs[0] : null;
      // layer l's dW beside its product through the sine, or before it, as a product of its own
      // whose sums can then run beside it (a layer's input past the first is this op's own,
      // recorded by no one: no dx is made for it)
      const beside = weight.requiresGrad && weightGradientFits(dz.shape[0], weight.shape[1], weight.shape[0]) ? inputs[l] : null;
      if (!beside) queue(l, gradientParts(dz, inputs[l], weight, bias, dbPartial));
      const through = throughSine(dz, weight, z, omega, { companion: pending[0]?.plan ?? null, x: beside, firstX });
      if (through.companionRan) made(1);
      if (beside) queue(l, gradientParts(dz, inputs[l], weight, bias, dbPartial, through.dwSlices));
      ({ dz, dbPartial, firstPartial } = through);
    }
    // the sums no product took, two layers a pass
    while (pending.length) {
      const [p, q] = pending.slice(0, 2).map((entry) => entry.plan);
      runPairSums(q ? joinPairSums(p, q) : p);
      made(q ? 2 : 1);
    }
    return grads;
  });
}

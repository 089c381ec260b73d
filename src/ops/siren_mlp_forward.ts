/**
 * The first pass of a SIREN's forward on GPUs (shaders/siren_mlp_forward.wgsl): the first layer,
 * where it takes the short kernel (≤ 4 inputs: a SIREN's coordinates; see forwardForm), and the
 * later layers' weights copied transposed for their products (forwardWeightCopies), in one
 * dispatch. Neither reads what the other writes: both wait only for the previous step's Adam.
 * A dispatch costs 3.4–4.0 µs on an H100 even when it does little, and a step is one chain of
 * them (bench/RESULTS.md, session 10), so a 64² step has one link fewer. The outputs are those
 * layerForward and forwardWeightCopies make, computed by the same code.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { slotBranches, slotStarts } from '../gpu/slots.ts';
import { noGrad, runtime } from '../tensor/context.ts';
import { Tensor } from '../tensor/tensor.ts';
import { transposeSlot, transposeSlotParams } from './shape.ts';
import { copiedForForward, forwardForm, layerShapesFit } from './sine_linear.ts';
import type { MlpLayer } from './siren_mlp.ts';

/** Whether sirenMlp takes the shared first pass where it can (off for an A/B: `npm run bench:ab`). */
export const sharedFirstPass = { enabled: true };

/** storage bindings besides the copies' two each: X, W, bias, Y, Z */
const LAYER_BINDINGS = 5;

const kernels = new Map<string, Kernel>();

/** The pass for `copies` weight copies (slots 2..copies + 1) beside the layer, keeping z or not. */
function firstPassKernel(copies: number, keepZ: boolean): Kernel {
  const key = `siren_mlp_forward.${copies}${keepZ ? '' : '.inference'}`;
  let k = kernels.get(key);
  if (!k) {
    const slots = copies + 1;
    const ks = Array.from({ length: copies }, (_, i) => i + 2);
    const storage = (binding: number, access: string, name: string, type = 'f32') =>
      `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type}>;`;
    k = {
      name: key, file: 'siren_mlp_forward.wgsl', inputs: 3 + copies, outputs: 2 + copies, uniform: true,
      constants: { STORE_Z: Number(keepZ) },
      snippets: {
        SLOT_PARAMS: ['  start_1: u32,', ...ks.map(transposeSlotParams)].join('\n'),
        BINDINGS: [
          ...ks.map((k, i) => storage(3 + i, 'read', `in_${k}`)),
          storage(3 + copies, 'read_write', 'Y', 'vec4<f32>'),
          storage(4 + copies, 'read_write', 'Z', 'vec4<f32>'),
          ...ks.map((k, i) => storage(5 + copies + i, 'read_write', `out_${k}`)),
        ].join('\n'),
        PARAMS_BINDING: String(LAYER_BINDINGS + 2 * copies),
        SLOTS: slotBranches(slots, (k, j) => (k === 1 ? `short_outputs(${j});` : transposeSlot(k, j))),
      },
    };
    kernels.set(key, k);
  }
  return k;
}

export interface FirstPass {
  /** the first layer's output sin(ω·z) and z (null unless kept) */
  y: Tensor;
  z: Tensor | null;
  /** per layer, its weight's transposed copy (null for the first and where a layer reads W as stored) */
  copies: (Tensor | null)[];
}

/**
 * The first layer of a SIREN (a sine layer) and the later layers' weight copies in one pass, on M
 * = x.shape[0] points; null where the layer does not take the short kernel, no layer takes a
 * copy, or the bindings do not fit: sirenMlp then makes them apart.
 */
export function firstPass(x: Tensor, layers: readonly MlpLayer[], omega: number, keepZ: boolean): FirstPass | null {
  if (!sharedFirstPass.enabled || layers.length < 2) return null;
  const { weight, bias } = layers[0];
  if (!layerShapesFit(x, weight, bias)) return null; // layerForward says why
  const [M, K] = x.shape;
  const N = weight.shape[0];
  if (M * N === 0 || forwardForm(N, K) !== 'short') return null;
  const copied = layers.map((layer, l) => l > 0 && copiedForForward(M, layer.weight));
  const sources = layers.map((layer) => layer.weight).filter((_, l) => copied[l]);
  const rt = runtime();
  if (sources.length === 0 || LAYER_BINDINGS + 2 * sources.length > rt.limits.maxStorageBuffersPerShaderStage) return null;

  const y = Tensor.empty([M, N], 'sine_linear');
  const z = keepZ ? Tensor.empty([M, N], 'sine_linear.z') : null;
  const copies = sources.map((w) => Tensor.empty([w.shape[1], w.shape[0]], 'transpose'));
  const { starts, invocations } = slotStarts([M * (N / 4), ...sources.map((w) => w.size)], 256);
  const params = new Params().u32(M).u32(N / 4).u32(K).f32(omega).u32(starts[0]);
  sources.forEach((w, i) => params.u32(w.shape[0]).u32(w.shape[1]).u32(starts[i + 1]));
  noGrad(() => rt.dispatch(firstPassKernel(sources.length, keepZ), {
    inputs: [x, weight, bias, ...sources], outputs: [y, z ?? rt.unusedOutput, ...copies], params,
    workgroups: rt.grid1d(invocations, 256),
  }));
  let next = 0;
  return { y, z, copies: copied.map((c) => (c ? copies[next++] : null)) };
}

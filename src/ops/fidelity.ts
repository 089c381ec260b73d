/**
 * The fidelity loss of image fusion as one fused op (shaders/fidelity.wgsl, fidelity_backward.wgsl):
 *   L = Σ_k a_k·mean((F − T_k)²) + Σ_j b_j·mean((∇F − G_j)²) + λ·mean(|∇F|)
 * F [H, W] the fused image, T_k [H, W] intensity targets, G_j [2, H, W] gradient targets, ∇ the
 * Sobel operator (src/ops/sobel.ts). Means are over pixels, and over both gradient components.
 * Up to two targets of each kind (a shader stage has 8 storage bindings everywhere).
 *
 * Forward is one pass of partial sums that also keeps dL/dF and dL/d∇F per pixel, then the
 * engine's sum; backward is one pass, Sobel's adjoint of the kept dL/d∇F plus dL/dF, times the
 * upstream gradient. Composed from sobel, mse and l1, INRFuse's loss took 15 dispatches forward
 * and 10 back per grid; a small step on a fast GPU is bound by its dispatches.
 * Targets are constants here (they get no gradient). Float64 reference: src/reference/fidelity.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { isGradEnabled, noGrad, runtime } from '../tensor/context.ts';
import { assertSameShape, shapeString, Tensor } from '../tensor/tensor.ts';
import { sum } from './reduce.ts';
import { BORDER_MODE_INDEX, type SobelOptions } from './sobel.ts';

export interface FidelityTerms {
  /** intensity targets T [H, W] with their weights a: Σ a·mean((F − T)²) */
  intensity?: readonly (readonly [Tensor, number])[];
  /** gradient targets G [2, H, W] (Sobel's layout) with their weights b: Σ b·mean((∇F − G)²) */
  gradient?: readonly (readonly [Tensor, number])[];
  /** λ, the weight of mean(|∇F|); 0 when omitted */
  sparsity?: number;
  /** the Sobel operator ∇ (replicate border, unnormalised, by default) */
  sobel?: SobelOptions;
}

const MAX_TARGETS = 2;

/**
 * Pixels per partial sum: long runs on SwiftShader (a workgroup is a CPU thread's loop), 8 on GPUs,
 * where each pixel costs ~15 loads and a thread's loop runs at the latency of its loads; the
 * engine's sum takes the partials in one workgroup tree up to 128² pixels.
 */
const pixelsPerPartial = (): number => (runtime().tuning === 'cpu' ? 256 : 8);

const kernels = new Map<string, Kernel>();
function forwardKernel(intensityTargets: number, gradientTargets: number, save: boolean): Kernel {
  const key = `fidelity.${intensityTargets}i${gradientTargets}g${save ? '.save' : ''}`;
  let k = kernels.get(key);
  if (!k) {
    const constants = { INTENSITY_TARGETS: intensityTargets, GRADIENT_TARGETS: gradientTargets, SAVE: Number(save) };
    k = { name: key, file: 'fidelity.wgsl', constants, inputs: 5, outputs: 2, uniform: true };
    kernels.set(key, k);
  }
  return k;
}
const BACKWARD: Kernel = { name: 'fidelity_backward', file: 'fidelity_backward.wgsl', inputs: 2, outputs: 1, uniform: true };

function checkTargets(kind: string, targets: readonly (readonly [Tensor, number])[], shape: readonly number[]): void {
  if (targets.length > MAX_TARGETS) throw new Error(`fidelityLoss: at most ${MAX_TARGETS} ${kind} targets, got ${targets.length}`);
  for (const [t, weight] of targets) {
    assertSameShape(`fidelityLoss ${kind} target`, t.shape, shape);
    if (t.requiresGrad) throw new Error(`fidelityLoss: ${kind} targets are constants, but ${t} requires grad`);
    if (!Number.isFinite(weight)) throw new Error(`fidelityLoss: ${kind} weight ${weight} is not finite`);
  }
}

/** The fidelity loss of F [H, W] (a scalar); see the file comment. */
export function fidelityLoss(f: Tensor, terms: FidelityTerms): Tensor {
  if (f.rank !== 2) throw new Error(`fidelityLoss needs F as [H, W], got ${shapeString(f.shape)}`);
  const [H, W] = f.shape;
  if (f.size === 0) throw new Error('fidelityLoss: F has no pixels');
  const intensity = terms.intensity ?? [];
  const gradient = terms.gradient ?? [];
  checkTargets('intensity', intensity, [H, W]);
  checkTargets('gradient', gradient, [2, H, W]);
  const n = H * W;
  const rt = runtime();
  const partials = Math.ceil(n / pixelsPerPartial());
  // Weights arrive divided by the count of their mean's terms: n pixels, 2n gradient components.
  const params = new Params().u32(H).u32(W).u32(BORDER_MODE_INDEX[terms.sobel?.border ?? 'replicate']).u32(partials)
    .f32(terms.sobel?.normalise ? 1 / 8 : 1)
    .f32((intensity[0]?.[1] ?? 0) / n).f32((intensity[1]?.[1] ?? 0) / n)
    .f32((gradient[0]?.[1] ?? 0) / (2 * n)).f32((gradient[1]?.[1] ?? 0) / (2 * n))
    .f32((terms.sparsity ?? 0) / (2 * n));
  const keepDerivatives = isGradEnabled() && f.requiresGrad;
  const parts = Tensor.empty([partials], 'fidelity.partial');
  const saved = keepDerivatives ? Tensor.empty([3, H, W], 'fidelity.saved') : null;
  const targets = [intensity[0]?.[0], intensity[1]?.[0], gradient[0]?.[0], gradient[1]?.[0]].map((t) => t ?? f);
  rt.dispatch(forwardKernel(intensity.length, gradient.length, !!saved), {
    inputs: [f, ...targets], outputs: [parts, saved ?? rt.unusedOutput], params,
    workgroups: rt.grid1d(partials, 256),
  });
  const loss = noGrad(() => sum(parts)); // shape []
  parts.dispose();
  return record(loss, 'fidelityLoss', [f], (g) => {
    if (!saved) throw new Error('fidelityLoss: the derivatives were not kept');
    const df = Tensor.empty(f.shape, 'fidelity.grad');
    rt.dispatch(BACKWARD, { inputs: [g, saved], outputs: [df], params, workgroups: rt.grid1d(n, 256) });
    return [df];
  });
}

/**
 * INRFuse (Sun et al., arXiv 2506.16773): a SIREN F(x, y) fitted to one IR/visible pair from
 * pixel coordinates, with
 *   L = ‖IR − F‖² + ‖VIS − F‖² + ‖∇IR − ∇F‖² + ‖∇VIS − ∇F‖² + λ‖∇F‖₁      (λ = 1)
 * on pixels normalised to [−1, 1]. The paper has no public code; where it is silent we chose,
 * and each choice is an option:
 *  - ∇ is the 3×3 Sobel operator applied to F rendered on each source's own pixel grid, so ∇F
 *    and ∇IR/∇VIS are in the same units. Unnormalised by default, as SIREN's reference
 *    gradients (scipy.ndimage.sobel): the kernel's ×8 weighs edges 64× more than kornia's
 *    normalised form would, which is what lets the gradient terms shape F
 *    (options `sobelNormalised`, `border`; replicate border by default).
 *  - Norms are means over pixels (and over the two gradient components).
 *  - IR and VIS of different sizes: each term is evaluated on its source's grid; the λ term on
 *    both grids, averaged.
 *  - `gradientTarget: 'max'` (not the paper's; same-size sources only) replaces the two
 *    gradient terms with (w_IR + w_VIS)·‖G − ∇F‖², G the elementwise larger-magnitude gradient
 *    of the two sources, which keeps the sharper edge instead of the average of the two.
 */
import { Siren, type SirenOptions } from '../nn/siren.ts';
import { add } from '../ops/binary.ts';
import { fidelityLoss } from '../ops/fidelity.ts';
import { sobel, type BorderMode } from '../ops/sobel.ts';
import { reshape, slice } from '../ops/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface InrFuseLossWeights {
  intensityIr: number;
  intensityVis: number;
  gradientIr: number;
  gradientVis: number;
  /** λ, the weight of ‖∇F‖₁ */
  gradientL1: number;
}

export const PAPER_WEIGHTS: InrFuseLossWeights = { intensityIr: 1, intensityVis: 1, gradientIr: 1, gradientVis: 1, gradientL1: 1 };

export interface InrFuseConfig extends SirenOptions {
  weights?: Partial<InrFuseLossWeights>;
  border?: BorderMode;
  /** divide the Sobel kernel by 8 (kornia's form); default false (SIREN's scipy form) */
  sobelNormalised?: boolean;
  gradientTarget?: 'sources' | 'max';
}

/** One source image on the GPU: pixels in [−1, 1] as [H, W], its Sobel gradients, its grid. */
export interface SourceTarget {
  pixels: Tensor; // [H, W]
  gradients: Tensor; // [2, H, W]
  height: number;
  width: number;
}

/** The targets whose weight is not 0: a term of weight 0 costs nothing to leave out. */
const nonZero = (targets: [Tensor, number][]): [Tensor, number][] => targets.filter(([, weight]) => weight !== 0);

export class InrFuse {
  readonly net: Siren;
  readonly weights: InrFuseLossWeights;
  readonly border: BorderMode;
  readonly sobelNormalised: boolean;
  readonly gradientTarget: 'sources' | 'max';

  constructor(config: InrFuseConfig = {}) {
    this.net = new Siren({ inputs: 2, outputs: 1, hidden: 256, layers: 5, omega: 30, ...config });
    this.weights = { ...PAPER_WEIGHTS, ...config.weights };
    this.border = config.border ?? 'replicate';
    this.sobelNormalised = config.sobelNormalised ?? false;
    this.gradientTarget = config.gradientTarget ?? 'sources';
  }

  /** ∇ as used in the loss, for targets and for F alike. */
  gradient(image: Tensor): Tensor {
    return sobel(image, { border: this.border, normalise: this.sobelNormalised });
  }

  /** coords [N, 2] → F [N, 1] */
  forward(coords: Tensor): Tensor {
    return this.net.forward(coords);
  }

  /**
   * The loss for one step, one fused op per grid (src/ops/fidelity.ts). `coords` holds the IR
   * grid's points then the VIS grid's points, or only one grid when `vis` is on the same grid as
   * `ir` (`sameGrid`).
   */
  loss(coords: Tensor, ir: SourceTarget, vis: SourceTarget, sameGrid: boolean, maxGradient?: Tensor): Tensor {
    const w = this.weights;
    const f = this.forward(coords);
    const sobel = { border: this.border, normalise: this.sobelNormalised };
    if (sameGrid) {
      const gradient: [Tensor, number][] = this.gradientTarget === 'max' && maxGradient
        ? [[maxGradient, w.gradientIr + w.gradientVis]]
        : [[ir.gradients, w.gradientIr], [vis.gradients, w.gradientVis]];
      return fidelityLoss(reshape(f, [ir.height, ir.width]), {
        intensity: nonZero([[ir.pixels, w.intensityIr], [vis.pixels, w.intensityVis]]),
        gradient: nonZero(gradient), sparsity: w.gradientL1, sobel,
      });
    }
    // Each source on its own grid; ‖∇F‖₁ is the mean of its two grids' means.
    const nIr = ir.height * ir.width;
    const perGrid = (points: Tensor, source: SourceTarget, intensity: number, gradient: number): Tensor =>
      fidelityLoss(reshape(points, [source.height, source.width]), {
        intensity: nonZero([[source.pixels, intensity]]), gradient: nonZero([[source.gradients, gradient]]),
        sparsity: w.gradientL1 / 2, sobel,
      });
    return add(
      perGrid(slice(f, [0, 0], [nIr, 1]), ir, w.intensityIr, w.gradientIr),
      perGrid(slice(f, [nIr, 0], [f.shape[0], 1]), vis, w.intensityVis, w.gradientVis),
    );
  }
}


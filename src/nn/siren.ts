/**
 * SIREN (Sitzmann et al. 2020): sine layers y = sin(ω0·(x·Wᵀ + b)) and a final linear layer.
 * Initialisation exactly as the reference implementation (vsitzmann/siren, modules.py):
 *   first layer W ~ U(±1/fan_in), other layers W ~ U(±√(6/fan_in)/ω0) (the last, linear one too),
 *   biases keep PyTorch's nn.Linear default U(±1/√fan_in).
 * Weights are drawn from a seeded PRNG, so a seed gives the same network everywhere.
 */
import { sirenMlp } from '../ops/siren_mlp.ts';
import { mulberry32, uniform } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface SirenOptions {
  inputs?: number;
  hidden?: number;
  /** number of linear layers in all (the reference image SIREN has 5: 4 sine + 1 linear) */
  layers?: number;
  outputs?: number;
  omega?: number;
  seed?: number;
}

interface Layer {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}

export class Siren {
  readonly layers: Layer[];
  readonly omega: number;

  constructor(options: SirenOptions = {}) {
    const { inputs = 2, hidden = 256, layers = 5, outputs = 1, omega = 30, seed = 0 } = options;
    if (layers < 2) throw new Error('a SIREN needs at least 2 layers');
    this.omega = omega;
    const random = mulberry32(seed);
    const sizes = [inputs, ...Array<number>(layers - 1).fill(hidden), outputs];
    this.layers = sizes.slice(0, -1).map((fanIn, l) => {
      const fanOut = sizes[l + 1];
      const w = l === 0 ? 1 / fanIn : Math.sqrt(6 / fanIn) / omega;
      const b = 1 / Math.sqrt(fanIn);
      return {
        weight: uniform([fanOut, fanIn], -w, w, random, { requiresGrad: true, label: `siren.${l}.weight` }),
        bias: uniform([fanOut], -b, b, random, { requiresGrad: true, label: `siren.${l}.bias` }),
      };
    });
  }

  /** coords [N, inputs] → [N, outputs]: one op, whose backward fuses across layers (src/ops/siren_mlp.ts) */
  forward(coords: Tensor): Tensor {
    return sirenMlp(coords, this.layers, this.omega);
  }

  parameters(): Tensor[] {
    return this.layers.flatMap((l) => [l.weight, l.bias]);
  }

  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  dispose(): void {
    for (const p of this.parameters()) p.dispose();
  }
}

/**
 * Sobel image gradients: x [..., H, W] -> [..., 2, H, W], applied as cross-correlation
 * (out[y][x] = Σ K[dy+1][dx+1] · in[y+dy][x+dx], no kernel flip).
 *   component 0, d/dx (along columns): [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
 *   component 1, d/dy (along rows):    its transpose
 * Out-of-image reads follow `border` (see border.ts): reflect mirrors excluding the edge
 * (PyTorch/kornia), symmetric including it (scipy.ndimage 'reflect'). A 3×3 stencil only reads
 * one pixel out, where symmetric reads the same pixel as replicate, so those two agree here.
 * Reflect on an axis of length 1 has nothing to mirror to and degenerates to replicate.
 * normalise divides the kernels by 8 (kornia's default).
 * Backward scatter-adds each output gradient through the same reads, the exact transpose.
 */
import type { BorderMode } from './border.ts';
import type { CpuTensor, RefOp } from './tensor.ts';
import { borderIndex } from './border.ts';
import { expectInputs, size } from './tensor.ts';

export interface SobelParams {
  border: BorderMode;
  normalise?: boolean;
}

export const SOBEL_X: readonly (readonly number[])[] = [
  [-1, 0, 1],
  [-2, 0, 2],
  [-1, 0, 1],
];
export const SOBEL_Y: readonly (readonly number[])[] = [
  [-1, -2, -1],
  [0, 0, 0],
  [1, 2, 1],
];

/**
 * Calls visit(outIndex, inIndex, weight) for every (output element, input read) pair with a
 * non-zero weight, reads that fall on a zero border skipped. Forward and backward share it.
 */
function forEachTap(shape: readonly number[], { border, normalise = false }: SobelParams, visit: (o: number, i: number, w: number) => void): void {
  if (shape.length < 2) throw new Error(`sobel needs [..., H, W], got [${shape.join(', ')}]`);
  const [H, W] = shape.slice(-2);
  const images = size(shape.slice(0, -2));
  const scale = normalise ? 1 / 8 : 1;
  for (let b = 0; b < images; b++) {
    for (let c = 0; c < 2; c++) {
      const kernel = c === 0 ? SOBEL_X : SOBEL_Y;
      const outBase = (b * 2 + c) * H * W;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const w = kernel[dy + 1][dx + 1];
              const sy = borderIndex(y + dy, H, border);
              const sx = borderIndex(x + dx, W, border);
              if (w === 0 || sy < 0 || sx < 0) continue;
              visit(outBase + y * W + x, b * H * W + sy * W + sx, w * scale);
            }
          }
        }
      }
    }
  }
}

const outShape = (shape: readonly number[]): number[] => [...shape.slice(0, -2), 2, ...shape.slice(-2)];

export const sobel: RefOp<SobelParams> = {
  name: 'sobel',
  forward(inputs, params) {
    expectInputs('sobel', inputs, 1);
    const [x] = inputs;
    const shape = outShape(x.shape);
    const data = new Float64Array(size(shape));
    forEachTap(x.shape, params, (o, i, w) => (data[o] += w * x.data[i]));
    return { shape, data };
  },
  backward(inputs, params, g: CpuTensor) {
    expectInputs('sobel', inputs, 1);
    const [x] = inputs;
    const data = new Float64Array(x.data.length);
    forEachTap(x.shape, params, (o, i, w) => (data[i] += w * g.data[o]));
    return [{ shape: [...x.shape], data }];
  },
};

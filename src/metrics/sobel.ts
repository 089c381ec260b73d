import type { GreyImage } from './image.ts';
import { pixels } from './image.ts';

/** How a 3x3 filter reads outside the image: 'zero' (MATLAB conv2 'same') or 'replicate' (imfilter). */
export type Border = 'zero' | 'replicate';

/**
 * Sobel responses, computed as correlation:
 *   gx with [-1 0 1; -2 0 2; -1 0 1] (d/dx),  gy with [1 2 1; 0 0 0; -1 -2 -1] (MATLAB fspecial('sobel')).
 * conv2 (used by VIFB's Qabf) flips both kernels, which negates both responses: magnitudes and
 * the ratio gy/gx are unchanged, so this matches VIFB for both EI and Qabf.
 */
export function sobel(img: GreyImage, border: Border): { gx: Float64Array; gy: Float64Array } {
  const p = pixels(img);
  const { width: w, height: h } = img;
  const at = (x: number, y: number): number => {
    if (x < 0 || x >= w || y < 0 || y >= h) {
      if (border === 'zero') return 0;
      x = x < 0 ? 0 : x >= w ? w - 1 : x;
      y = y < 0 ? 0 : y >= h ? h - 1 : y;
    }
    return p[y * w + x];
  };
  const gx = new Float64Array(w * h);
  const gy = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = at(x - 1, y - 1), b = at(x, y - 1), c = at(x + 1, y - 1);
      const d = at(x - 1, y), f = at(x + 1, y);
      const g = at(x - 1, y + 1), k = at(x, y + 1), l = at(x + 1, y + 1);
      gx[y * w + x] = (c + 2 * f + l) - (a + 2 * d + g);
      gy[y * w + x] = (a + 2 * b + c) - (g + 2 * k + l);
    }
  }
  return { gx, gy };
}

/**
 * EI: edge intensity (Rajalingam & Priya 2018), as VIFB metricsEdge_intensity.m: the mean over all
 * pixels of sqrt(gx^2 + gy^2), Sobel responses with replicated borders (imfilter 'replicate').
 */
export function edgeIntensity(fused: GreyImage): number {
  const { gx, gy } = sobel(fused, 'replicate');
  let s = 0;
  for (let i = 0; i < gx.length; i++) s += Math.hypot(gx[i], gy[i]);
  return s / gx.length;
}

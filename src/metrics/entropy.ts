import type { GreyImage } from './image.ts';
import { entropyBits, histogram } from './histogram.ts';

/**
 * EN: Shannon entropy of the fused image, -sum p_k log2 p_k over 256 grey-level bins
 * (p_k = count/N, empty bins skipped). As VIFB metricsEntropy.m; bits, range [0, 8].
 */
export function entropy(fused: GreyImage): number {
  return entropyBits(histogram(fused));
}

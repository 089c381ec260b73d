/**
 * RGB ↔ YCbCr (BT.601, full range, all values in [0, 1], chroma centred on 0.5) and RGB → grey.
 * Fusion works on luma: the visible image's Y is fused with IR, then put back with its own Cb/Cr.
 *
 * Two conventions, which differ in the 3rd decimal:
 *  'jfif'   — JPEG/JFIF and PIL's convert('YCbCr') / YCbCr→RGB, scaled from [0,255] to [0,1]:
 *             Y  = 0.299 R + 0.587 G + 0.114 B
 *             Cb = 0.5 + (B − Y) / 1.772   (= 0.5 − 0.168736 R − 0.331264 G + 0.5 B)
 *             Cr = 0.5 + (R − Y) / 1.402   (= 0.5 + 0.5 R − 0.418688 G − 0.081312 B)
 *             R = Y + 1.402 (Cr − ½);  G = Y − 0.344136 (Cb − ½) − 0.714136 (Cr − ½);  B = Y + 1.772 (Cb − ½)
 *             The inverse constants are derived from the forward ones, so the round trip is exact
 *             up to float rounding. (PIL itself works in 8-bit fixed point; same formulas.)
 *  'opencv' — OpenCV's float cvtColor(RGB2YCrCb / YCrCb2RGB), as the LDFusion code uses it:
 *             Cr = (R − Y)·0.713 + 0.5;  Cb = (B − Y)·0.564 + 0.5
 *             R = Y + 1.403 (Cr − ½);  G = Y − 0.714 (Cr − ½) − 0.344 (Cb − ½);  B = Y + 1.773 (Cb − ½)
 *             These rounded constants are not exact inverses: a round trip is off by up to ~2e-3.
 */
import { greyImage, rgbImage } from './image.ts';
import type { Image } from './image.ts';

export type YCbCrConvention = 'jfif' | 'opencv';

export interface YCbCrConstants {
  /** Luma weights of R, G, B. */
  kr: number; kg: number; kb: number;
  /** Forward chroma: Cb = 0.5 + cb·(B − Y), Cr = 0.5 + cr·(R − Y). */
  cb: number; cr: number;
  /** Inverse: R = Y + rCr·Cr', G = Y − gCb·Cb' − gCr·Cr', B = Y + bCb·Cb' (Cb' = Cb − 0.5, Cr' = Cr − 0.5). */
  rCr: number; gCb: number; gCr: number; bCb: number;
}

const KR = 0.299, KG = 0.587, KB = 0.114;

export const YCBCR: Readonly<Record<YCbCrConvention, Readonly<YCbCrConstants>>> = {
  jfif: {
    kr: KR, kg: KG, kb: KB,
    cb: 1 / (2 * (1 - KB)), cr: 1 / (2 * (1 - KR)),
    rCr: 2 * (1 - KR), bCb: 2 * (1 - KB),
    gCb: (2 * KB * (1 - KB)) / KG, gCr: (2 * KR * (1 - KR)) / KG,
  },
  opencv: {
    kr: KR, kg: KG, kb: KB,
    cb: 0.564, cr: 0.713,
    rCr: 1.403, gCb: 0.344, gCr: 0.714, bCb: 1.773,
  },
};

/** PIL's convert('L') weights: 0.299 R + 0.587 G + 0.114 B. A grey image is copied unchanged. */
export function toGrey(image: Image): Image {
  const { width, height, data } = image;
  if (image.channels === 1) return greyImage(width, height, data.slice());
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    out[i] = KR * data[p] + KG * data[p + 1] + KB * data[p + 2];
  }
  return greyImage(width, height, out);
}

export interface LumaSplit {
  y: Float32Array;
  cb: Float32Array;
  cr: Float32Array;
}

/** Planar Y, Cb, Cr of an image. A grey image gives Y = its values and neutral chroma (0.5). */
export function splitLuma(vis: Image, convention: YCbCrConvention = 'jfif'): LumaSplit {
  const n = vis.width * vis.height;
  const y = new Float32Array(n), cb = new Float32Array(n), cr = new Float32Array(n);
  if (vis.channels === 1) {
    y.set(vis.data);
    cb.fill(0.5);
    cr.fill(0.5);
    return { y, cb, cr };
  }
  const k = YCBCR[convention];
  const d = vis.data;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const r = d[p], g = d[p + 1], b = d[p + 2];
    const luma = k.kr * r + k.kg * g + k.kb * b;
    y[i] = luma;
    cb[i] = 0.5 + k.cb * (b - luma);
    cr[i] = 0.5 + k.cr * (r - luma);
  }
  return { y, cb, cr };
}

/** Planar Y, Cb, Cr → interleaved RGB image, each value clamped to [0, 1]. */
export function mergeLuma(
  y: Float32Array, cb: Float32Array, cr: Float32Array, width: number, height: number,
  convention: YCbCrConvention = 'jfif',
): Image {
  const n = width * height;
  if (y.length !== n || cb.length !== n || cr.length !== n) {
    throw new RangeError(`mergeLuma: planes of ${y.length}/${cb.length}/${cr.length} values for a ${width}x${height} image`);
  }
  const k = YCBCR[convention];
  const out = new Float32Array(n * 3);
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const l = y[i], u = cb[i] - 0.5, v = cr[i] - 0.5;
    out[p] = clamp01(l + k.rCr * v);
    out[p + 1] = clamp01(l - k.gCb * u - k.gCr * v);
    out[p + 2] = clamp01(l + k.bCb * u);
  }
  return rgbImage(width, height, out);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * Bilinear resizing with the pixel-centre convention (align_corners = false), the one PyTorch's
 * F.interpolate(mode='bilinear') and OpenCV's INTER_LINEAR use: output pixel x samples the input
 * at (x + 0.5)·inW/outW − 0.5, clamped to [0, inW − 1]. No antialiasing when shrinking (neither
 * library does it by default), so results match those libraries.
 */
import type { Image } from './image.ts';

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array; // weight of i1; i0 gets 1 − w1
}

function taps(inSize: number, outSize: number): Taps {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), w1 = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const lo = Math.floor(s);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w1[o] = s - lo;
  }
  return { i0, i1, w1 };
}

function checkSize(what: string, w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) {
    throw new RangeError(`resizeBilinear: ${what} size must be positive integers, got ${w}x${h}`);
  }
}

/** Resizes an interleaved image of `channels` values per pixel (default 1) from w×h to newW×newH. */
export function resizeBilinear(
  src: Float32Array, w: number, h: number, newW: number, newH: number, channels = 1,
): Float32Array {
  checkSize('input', w, h);
  checkSize('output', newW, newH);
  if (src.length !== w * h * channels) {
    throw new RangeError(`resizeBilinear: ${src.length} values for a ${w}x${h}x${channels} image`);
  }
  if (w === newW && h === newH) return src.slice();
  const xs = taps(w, newW), ys = taps(h, newH);
  const out = new Float32Array(newW * newH * channels);
  const rowLen = w * channels;
  for (let oy = 0; oy < newH; oy++) {
    const r0 = ys.i0[oy] * rowLen, r1 = ys.i1[oy] * rowLen, wy = ys.w1[oy];
    for (let ox = 0; ox < newW; ox++) {
      const c0 = xs.i0[ox] * channels, c1 = xs.i1[ox] * channels, wx = xs.w1[ox];
      const o = (oy * newW + ox) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[r0 + c0 + c] * (1 - wx) + src[r0 + c1 + c] * wx;
        const bottom = src[r1 + c0 + c] * (1 - wx) + src[r1 + c1 + c] * wx;
        out[o + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/** An image resized to newW×newH (a copy, even when the size is unchanged). */
export function resizeImage(image: Image, newW: number, newH: number): Image {
  const data = resizeBilinear(image.data, image.width, image.height, newW, newH, image.channels);
  return { width: newW, height: newH, channels: image.channels, data };
}

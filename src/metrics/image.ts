/**
 * The input every metric takes: one grey channel, row-major, 8-bit scale (values in [0, 255]).
 * Callers convert colour first with 0.299R + 0.587G + 0.114B, as VIFB (rgb2gray) and the Python
 * evaluators do, so the numbers are comparable with published tables.
 */
export interface GreyImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** A checked float64 copy of the pixels (or the array itself when it already is a Float64Array). */
export function pixels(img: GreyImage): Float64Array {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`metrics: image size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height) {
    throw new Error(`metrics: a ${width}x${height} image needs ${width * height} values, got ${data.length}`);
  }
  const out = data instanceof Float64Array ? data : Float64Array.from(data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new Error(`metrics: pixel ${i} is not a finite number`);
  }
  return out;
}

/** Same image with float64 data, so that the many metrics of computeMetrics convert only once. */
export function asFloat64(img: GreyImage): GreyImage {
  return { width: img.width, height: img.height, data: pixels(img) };
}

export function assertSameSize(a: GreyImage, b: GreyImage, what = 'images'): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`metrics: ${what} differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}

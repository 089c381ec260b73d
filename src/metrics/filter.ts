/** A float64 plane: the working type of the windowed metrics (SSIM, MS-SSIM, VIF). */
export interface Plane {
  width: number;
  height: number;
  data: Float64Array;
}

/**
 * The 1-D factor of MATLAB fspecial('gaussian', size, sigma): exp(-x^2 / (2 sigma^2)) for
 * x = -(size-1)/2 .. (size-1)/2, normalised to sum 1. The 2-D fspecial kernel is exactly the outer
 * product of this with itself (fspecial's cut of values below eps * max never triggers for the
 * sizes used here: the smallest corner value is exp(-11.1) of the peak).
 */
export function gaussian1d(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) {
    k[i] = sigma > 0 ? Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)) : i === c ? 1 : 0;
    s += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= s;
  return k;
}

/**
 * MATLAB filter2(k * k', X, 'valid'): separable correlation keeping only the positions where the
 * whole window fits; output (H - K + 1) x (W - K + 1), empty (0 x 0) if the window does not fit.
 */
export function filterValid(img: Plane, k: Float64Array): Plane {
  const K = k.length;
  const w = img.width - K + 1;
  const h = img.height - K + 1;
  if (w < 1 || h < 1) return { width: 0, height: 0, data: new Float64Array(0) };
  const src = img.data;
  const W = img.width;
  const tmp = new Float64Array(img.height * w);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += k[i] * src[y * W + x + i];
      tmp[y * w + x] = s;
    }
  }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += k[i] * tmp[(y + i) * w + x];
      out[y * w + x] = s;
    }
  }
  return { width: w, height: h, data: out };
}

/** Element-wise product of two planes of one size. */
export function multiply(a: Plane, b: Plane): Plane {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] * b.data[i];
  return { width: a.width, height: a.height, data: out };
}

/**
 * Local Gaussian-window statistics of two planes ('valid' positions): means mu1, mu2, variances
 * s11, s22 and covariance s12, each as E[xy] - E[x]E[y] like the reference MATLAB codes.
 */
export function localMoments(a: Plane, b: Plane, k: Float64Array): {
  mu1: Float64Array; mu2: Float64Array; s11: Float64Array; s22: Float64Array; s12: Float64Array;
  width: number; height: number;
} {
  const m1 = filterValid(a, k), m2 = filterValid(b, k);
  const e11 = filterValid(multiply(a, a), k).data;
  const e22 = filterValid(multiply(b, b), k).data;
  const e12 = filterValid(multiply(a, b), k).data;
  const mu1 = m1.data, mu2 = m2.data;
  const n = mu1.length;
  const s11 = new Float64Array(n), s22 = new Float64Array(n), s12 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s11[i] = e11[i] - mu1[i] * mu1[i];
    s22[i] = e22[i] - mu2[i] * mu2[i];
    s12[i] = e12[i] - mu1[i] * mu2[i];
  }
  return { mu1, mu2, s11, s22, s12, width: m1.width, height: m1.height };
}

/** Keeps every second row and column starting at the first (MATLAB X(1:2:end, 1:2:end)). */
export function decimate(img: Plane): Plane {
  const w = Math.ceil(img.width / 2), h = Math.ceil(img.height / 2);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = img.data[2 * y * img.width + 2 * x];
  return { width: w, height: h, data: out };
}

/** 2x2 average pooling; an odd last row or column is dropped: floor(H/2) x floor(W/2). */
export function average2x2(img: Plane): Plane {
  const w = Math.floor(img.width / 2), h = Math.floor(img.height / 2);
  const W = img.width, d = img.data;
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * W + 2 * x;
      out[y * w + x] = (d[i] + d[i + 1] + d[i + W] + d[i + W + 1]) / 4;
    }
  }
  return { width: w, height: h, data: out };
}

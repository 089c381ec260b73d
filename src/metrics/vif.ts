import type { GreyImage } from './image.ts';
import { assertSameSize, pixels } from './image.ts';
import type { Plane } from './filter.ts';
import { decimate, filterValid, gaussian1d, localMoments } from './filter.ts';

const EPS = 1e-10;

function plane(img: GreyImage): Plane {
  return { width: img.width, height: img.height, data: pixels(img) };
}

/** Per-scale maps of the pixel-domain VIF: information kept (num), information offered (den), gain g. */
export interface VifScale {
  num: Float64Array;
  den: Float64Array;
  g: Float64Array;
}

/**
 * The 4-scale pixel-domain VIF maps of Sheikh & Bovik's vifp_mscale.m (LIVE, 2005), step for step:
 * scale s = 1..4 uses an N x N Gaussian window, N = 2^(5-s) + 1 (17, 9, 5, 3), sigma N/5; from
 * scale 2 on, both images are first filtered with that window ('valid') and decimated by 2
 * (X(1:2:end, 1:2:end)). Local moments use 'valid' positions. With g = s12 / (s11 + 1e-10) and
 * sv^2 = s22 - g s12, the reference's clean-up rules: s11 < 1e-10 -> g = 0, sv^2 = s22, s11 = 0;
 * s22 < 1e-10 -> g = 0, sv^2 = 0; g < 0 -> sv^2 = s22, g = 0; sv^2 <= 1e-10 -> 1e-10.
 * num = log10(1 + g^2 s11 / (sv^2 + sigmaNsq)), den = log10(1 + s11 / sigmaNsq).
 * A scale whose window no longer fits the image gives empty maps (MATLAB 'valid' does the same).
 */
export function vifScales(ref: GreyImage, dist: GreyImage, sigmaNsq: number): VifScale[] {
  assertSameSize(ref, dist);
  let a = plane(ref), b = plane(dist);
  const out: VifScale[] = [];
  for (let scale = 1; scale <= 4; scale++) {
    const n = 2 ** (4 - scale + 1) + 1;
    const win = gaussian1d(n, n / 5);
    if (scale > 1) {
      a = decimate(filterValid(a, win));
      b = decimate(filterValid(b, win));
    }
    const m = localMoments(a, b, win);
    const len = m.mu1.length;
    const num = new Float64Array(len), den = new Float64Array(len), gs = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      let s11 = Math.max(0, m.s11[i]);
      const s22 = Math.max(0, m.s22[i]);
      const s12 = m.s12[i];
      let g = s12 / (s11 + EPS);
      let sv = s22 - g * s12;
      if (s11 < EPS) { g = 0; sv = s22; s11 = 0; }
      if (s22 < EPS) { g = 0; sv = 0; }
      if (g < 0) { sv = s22; g = 0; }
      if (sv <= EPS) sv = EPS;
      num[i] = Math.log10(1 + (g * g * s11) / (sv + sigmaNsq));
      den[i] = Math.log10(1 + s11 / sigmaNsq);
      gs[i] = g;
    }
    out.push({ num, den, g: gs });
  }
  return out;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * Pixel-domain VIF of a distorted image against a reference (vifp_mscale.m, sigma_nsq = 2):
 * sum of num over all 4 scales / sum of den. VIF(x, x) = 1; contrast gain can push it above 1.
 * NaN when the reference has no variance anywhere (0/0: nothing to preserve).
 */
export function vif(ref: GreyImage, dist: GreyImage): number {
  let num = 0, den = 0;
  for (const s of vifScales(ref, dist, 2)) { num += sum(s.num); den += sum(s.den); }
  return num / den;
}

/**
 * VIF metric: VIF(IR, F) + VIF(VIS, F), a SUM, as in the Python evaluator of Tang et al.
 * (SeAFusion, CDDFuse...; named VIFF there, but it is this vifp form, not Han et al.'s VIFF)
 * whose tables this matches. VIFB has no VIF. Equals 2 when F = IR = VIS.
 */
export function fusionVif(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  return vif(ir, fused) + vif(vis, fused);
}

/**
 * VIFF of Han, Cai, Cao & Xu (Information Fusion 14(2), 2013), as their VIFF_Public.m: the same
 * 4-scale maps but with visual noise sigma_nsq = 0.005 * 255^2; at every position of scale s the
 * maps of the source with the SMALLER gain g are kept (source 2 = VIS on ties, as the code does);
 * F_s = sum(num + 1e-7) / sum(den + 1e-7); VIFF = sum_s p_s F_s with p = [1, 0, 0.15, 1] / 2.15.
 * It differs from the VIF metric above (one combined score, different noise, per-pixel choice of
 * source), so both are given. VIFF(x, x, x) = 1. NaN below 41 x 41 pixels, where scale 4 is empty
 * (as in the MATLAB code).
 */
export function viff(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  const C = 1e-7;
  const p = [1, 0, 0.15, 1].map((v) => v / 2.15);
  const s1 = vifScales(ir, fused, 0.005 * 255 * 255);
  const s2 = vifScales(vis, fused, 0.005 * 255 * 255);
  let total = 0;
  for (let s = 0; s < 4; s++) {
    const a = s1[s], b = s2[s];
    let vid = 0, vind = 0;
    for (let i = 0; i < a.g.length; i++) {
      const first = a.g[i] < b.g[i];
      vid += (first ? a.num[i] : b.num[i]) + C;
      vind += (first ? a.den[i] : b.den[i]) + C;
    }
    total += p[s] * (vid / vind);
  }
  return total;
}

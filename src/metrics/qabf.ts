import type { GreyImage } from './image.ts';
import { assertSameSize } from './image.ts';
import { sobel } from './sobel.ts';

// Xydeas & Petrovic (2000) constants, as in VIFB metricsQabf.m (L = 1: edge strength gA is the weight as is).
const TG = 0.9994, KG = -15, DG = 0.5;
const TA = 0.9879, KA = -22, DA = 0.8;

/** Sobel edge strength g and orientation a = atan(gy / gx) (pi/2 where gx = 0), zero-padded borders (conv2 'same'). */
function edges(img: GreyImage): { g: Float64Array; a: Float64Array } {
  const { gx, gy } = sobel(img, 'zero');
  const g = new Float64Array(gx.length), a = new Float64Array(gx.length);
  for (let i = 0; i < gx.length; i++) {
    g[i] = Math.sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
    a[i] = gx[i] === 0 ? Math.PI / 2 : Math.atan(gy[i] / gx[i]);
  }
  return { g, a };
}

/** Edge preservation Q^{SF} at one pixel: sigmoid of relative strength times sigmoid of orientation agreement. */
function preservation(gs: number, as: number, gf: number, af: number): number {
  // Relative strength min/max, 1 when equal. VIFB (and the Python port) set it to gF when gs == gF,
  // a slip: for 8-bit images (Sobel strengths 0 or >= 1) that changes Qg by at most 5.5e-4 there.
  const G = gs > gf ? gf / gs : gs < gf ? gs / gf : 1;
  const A = 1 - Math.abs(as - af) / (Math.PI / 2);
  const qg = TG / (1 + Math.exp(KG * (G - DG)));
  const qa = TA / (1 + Math.exp(KA * (A - DA)));
  return qg * qa;
}

/**
 * Qabf (Xydeas & Petrovic 2000), as VIFB metricsQabf.m: Sobel on zero-padded images,
 * Q = sum(Q^{AF} gA + Q^{BF} gB) / sum(gA + gB) with A = IR, B = VIS. Range [0, 1), but the
 * sigmoids cap a perfect pixel at Qg(1) Qa(1) = 0.99885 * 0.97592 = 0.97479, so Qabf(x, x, x)
 * is 0.97479, not 1. NaN when both sources are constant (no edges to preserve).
 */
export function qabf(ir: GreyImage, vis: GreyImage, fused: GreyImage): number {
  assertSameSize(ir, fused);
  assertSameSize(vis, fused);
  const A = edges(ir), B = edges(vis), F = edges(fused);
  let num = 0, den = 0;
  for (let i = 0; i < F.g.length; i++) {
    num += preservation(A.g[i], A.a[i], F.g[i], F.a[i]) * A.g[i]
      + preservation(B.g[i], B.a[i], F.g[i], F.a[i]) * B.g[i];
    den += A.g[i] + B.g[i];
  }
  return num / den;
}

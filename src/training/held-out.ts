/**
 * How trained weights are judged here (issues 5 and 10): fuse held-out pairs (never trained on)
 * and compare the fused image's entropy, standard deviation and spatial frequency with those of
 * the plain average of the two inputs, all on 8-bit grey images as the metrics expect.
 */
import { entropy, spatialFrequency, standardDeviation } from '../metrics/index.ts';
import type { GreyPair } from './pairs.ts';

/** EN, SD, SF of an image. */
export interface SharpnessMetrics {
  EN: number;
  SD: number;
  SF: number;
}

export interface HeldOutResult {
  name: string;
  width: number;
  height: number;
  fused: SharpnessMetrics;
  average: SharpnessMetrics;
  /** every one of EN, SD, SF above the average's */
  beatsAverage: boolean;
}

/** A fuser of aligned grey planes in [0, 1] (a model's fuseLuma, fuseDidfuse, …). */
export type PlaneFuser = (ir: Float32Array, vis: Float32Array, width: number, height: number) => Promise<Float32Array>;

/** The centred width×height window of a pair (the whole pair when it is not larger). */
export function centreCrop(pair: GreyPair, width: number, height: number): GreyPair {
  const [w, h] = [Math.min(width, pair.width), Math.min(height, pair.height)];
  const [x0, y0] = [Math.floor((pair.width - w) / 2), Math.floor((pair.height - h) / 2)];
  const cut = (data: Float32Array) => {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) out.set(data.subarray((y0 + y) * pair.width + x0, (y0 + y) * pair.width + x0 + w), y * w);
    return out;
  };
  return { name: pair.name, width: w, height: h, ir: cut(pair.ir), vis: cut(pair.vis) };
}

function sharpness(data: Float32Array, width: number, height: number): SharpnessMetrics {
  const grey = { width, height, data: data.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) };
  return { EN: entropy(grey), SD: standardDeviation(grey), SF: spatialFrequency(grey) };
}

/** Fuses one pair and compares it with the average of its inputs. */
export async function compareWithAverage(pair: GreyPair, fuse: PlaneFuser): Promise<HeldOutResult> {
  const { width, height } = pair;
  const fused = sharpness(await fuse(pair.ir, pair.vis, width, height), width, height);
  const average = sharpness(pair.ir.map((v, i) => (v + pair.vis[i]) / 2), width, height);
  const beatsAverage = fused.EN > average.EN && fused.SD > average.SD && fused.SF > average.SF;
  return { name: pair.name, width, height, fused, average, beatsAverage };
}

/** "FLIR_00006 160×128: fused EN 7.16 SD 36.1 SF 15.5; average EN 5.96 SD 15.7 SF 7.34" */
export function describeComparison(r: HeldOutResult): string {
  const show = (m: SharpnessMetrics) => `EN ${m.EN.toFixed(3)} SD ${m.SD.toFixed(2)} SF ${m.SF.toFixed(2)}`;
  return `${r.name} ${r.width}×${r.height}: fused ${show(r.fused)}; average ${show(r.average)}`;
}

/**
 * The CNN fusion models as the benchmarks drive them (bench/models.ts for frames/s,
 * bench/profile.ts for kernel profiles): seeded random weights of the real shapes (speed does
 * not depend on the values), a frame and a training loss from [N, 1, H, W] planes in [0, 1].
 */
import type { Module } from '../src/nn/module.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { EncDecFusion, toSignedRange } from '../src/models/encdec.ts';
import { LDFusion } from '../src/models/ldfusion.ts';
import { LDLite } from '../src/models/ldlite.ts';
import type { Tensor } from '../src/tensor/tensor.ts';

export interface BenchModel {
  /** for tables: "encoder–decoder (width 64)" */
  label: string;
  model: Module;
  /** one fused frame (inference: call model.train(false) first where it matters) */
  frame: (ir: Tensor, vis: Tensor) => Tensor;
  /** the model's training loss on a batch */
  loss: (ir: Tensor, vis: Tensor) => Tensor;
}

/** Each model by its CLI name, made fresh on every call. */
export const BENCH_MODELS: Record<'didfuse' | 'encdec' | 'ldlite' | 'ldfusion', () => BenchModel> = {
  didfuse: () => {
    const m = new DIDFuse({ seed: 1 });
    return { label: 'DIDFuse', model: m, frame: (ir, vis) => m.fuse(ir, vis, 'sum'), loss: (ir, vis) => m.loss(vis, ir).total };
  },
  encdec: () => {
    const m = new EncDecFusion({ seed: 1 }); // the paper's width 64
    return {
      label: 'encoder–decoder (width 64)', model: m,
      frame: (ir, vis) => m.fuse(toSignedRange(ir), toSignedRange(vis)), loss: (ir, vis) => m.loss(toSignedRange(vis), toSignedRange(ir)).total,
    };
  },
  ldlite: () => {
    const m = new LDLite({ seed: 1 });
    return { label: 'LD-Lite', model: m, frame: (ir, vis) => m.forward({ ir, vis }), loss: (ir, vis) => m.loss({ ir, vis }).total };
  },
  ldfusion: () => {
    const m = new LDFusion({ seed: 1 });
    return { label: 'LDFusion', model: m, frame: (ir, vis) => m.forward({ ir, vis }), loss: (ir, vis) => m.loss({ ir, vis }).total };
  },
};

/** A smooth synthetic plane of `count` values in [0.1, 0.9]; `phase` tells IR from VIS. */
export const syntheticPlane = (count: number, phase: number): Float32Array =>
  Float32Array.from({ length: count }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.013 + phase));

/**
 * Groups of a tensor's values, each cut in chunks that one workgroup (GPUs) or one invocation
 * (SwiftShader) folds to a partial: the first level of the normalisations' statistics and
 * gradient sums (src/ops/standardise.ts) and of sums over all axes but a middle block, such as a
 * bias gradient over N, H and W (src/ops/reduce.ts). Element t of group g is at
 *   g·groupStride + ⌊t / runLength⌋·runStride + t mod runLength      (shaders/group_chunks.wgsl)
 * so a group may be one contiguous run (a plane, a sample) or runs strided through the tensor (a
 * channel over N, H, W) and is read in place, in one pass.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import type { Tuning } from '../gpu/runtime.ts';
import { runtime } from '../tensor/context.ts';

export interface GroupLayout { groups: number; groupStride: number; runs: number; runLength: number; runStride: number }

/**
 * x viewed as [outer, kept, inner], a group per kept index: its values are `outer` runs of `inner`.
 * A channel of [N, C, H, W] is (N, C, H·W); a plane (1, N·C, H·W); a sample (1, N, C·H·W).
 */
export function blockLayout(outer: number, kept: number, inner: number): GroupLayout {
  return { groups: kept, groupStride: inner, runs: outer, runLength: inner, runStride: kept * inner };
}

/**
 * Values of a group that one chunk takes. On GPUs a chunk is a workgroup, so that BatchNorm's 64
 * channels over 2·128² pixels are 512 workgroups rather than 64 (an H100 has 132 SMs). On
 * SwiftShader a chunk is one invocation's serial loop, whose float32 rounding grows with its
 * length: with loops of 1,024 the gradient of a bias before a BatchNorm (0 in exact arithmetic)
 * carried noise of 1.3e-5 in a DIDFuse step, against 9e-7 composed from primitives; loops of 256,
 * with the backward's centring (standardise_backward.wgsl), 5e-7 (test/engine/tuning.test.ts).
 * `elements` fixes the chunk (the tests force short ones on small shapes); null takes the tuning's.
 */
export const groupChunk: { elements: number | null } = { elements: null };
const CHUNK: Record<Tuning, number> = { gpu: 4096, cpu: 256 };

/** How a pass over the chunks of `layout` is laid out, and its params (shaders/group_chunks.wgsl). */
export interface ChunkPass { chunks: number; slots: number; params: () => Params; workgroups: [number, number] }

export function chunkPass(layout: GroupLayout): ChunkPass {
  const rt = runtime();
  const chunk = Math.max(1, groupChunk.elements ?? CHUNK[rt.tuning]);
  const chunks = Math.max(1, Math.ceil((layout.runs * layout.runLength) / chunk));
  const slots = layout.groups * chunks;
  return {
    chunks, slots,
    params: () => new Params().u32(slots).u32(layout.groups).u32(chunk)
      .u32(layout.groupStride).u32(layout.runs).u32(layout.runLength).u32(layout.runStride),
    // a workgroup of 256 a chunk (main) on GPUs, an invocation a chunk (per_thread, 64 a workgroup) on SwiftShader
    workgroups: rt.grid1d(slots, rt.tuning === 'gpu' ? 1 : 64),
  };
}

/**
 * A first-level kernel's two forms: `main`, a workgroup tree a chunk, for GPUs; `per_thread`, an
 * invocation a chunk, for SwiftShader, where a tree's eight barriers cost more than its loads
 * (the DIDFuse step's kernels took 1.4 s against 1.0 s at 2×16² with trees there).
 */
export function chunkKernels(name: string, file: string, inputs: number): Record<Tuning, Kernel> {
  return {
    gpu: { name, file, inputs, outputs: 1, uniform: true },
    cpu: { name: `${name}.per_thread`, file, entryPoint: 'per_thread', inputs, outputs: 1, uniform: true },
  };
}

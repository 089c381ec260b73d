/**
 * Kernels that serve several tensors in one dispatch, a "slot" each (shaders/adam.wgsl,
 * shaders/transpose_each.wgsl): a SIREN step has ten parameter tensors and three weight copies, and
 * a dispatch costs a few µs on a GPU even when it does little. Slot k has its own bindings, and
 * the invocations [start_k, start_k+1) of a 1-D grid; each start is at a workgroup boundary, so
 * that a workgroup takes one branch. These build the slots' WGSL (as snippets) and their starts.
 */
import type { Runtime } from './runtime.ts';

/**
 * Slots a pass takes: on GPUs as many as the storage bindings allow (`perSlot` a slot and `shared`
 * others), at most `most`; 1 with the CPU tuning, where SwiftShader runs a branch's code even
 * where no invocation takes it (a 3-slot Adam pass was twice as slow per element there).
 */
export function slotCount(rt: Runtime, perSlot: number, shared: number, most: number): number {
  if (rt.tuning === 'cpu') return 1;
  const bindings = rt.limits.maxStorageBuffersPerShaderStage ?? 8; // WebGPU's default where unreported
  return Math.max(1, Math.min(most, Math.floor((bindings - shared) / perSlot)));
}

/**
 * WGSL declarations of each slot's storage bindings `${name}_${k}` (k = 1..slots), every slot's
 * first buffer, then every slot's second, and so on from binding 0: the inputs before the outputs,
 * as src/gpu/kernel.ts lays them out.
 */
export function slotBindings(slots: number, buffers: readonly (readonly [name: string, access: 'read' | 'read_write'])[]): string {
  return buffers.flatMap(([name, access], b) => Array.from({ length: slots }, (_, i) =>
    `@group(0) @binding(${b * slots + i}) var<storage, ${access}> ${name}_${i + 1}: array<f32>;`)).join('\n');
}

/**
 * The body of `main` that sends invocation `i` to its slot: `body(k, j)` is slot k's code for its
 * element j. Params must have `start_k` for k = 2..slots. One slot has no branch.
 */
export function slotBranches(slots: number, body: (k: number, index: string) => string): string {
  if (slots === 1) return `  ${body(1, 'i')}`;
  return Array.from({ length: slots }, (_, i) => {
    const k = i + 1;
    const code = `    let j = i - params.start_${k};\n    ${body(k, 'j')}`;
    return k === slots ? `  {\n${code}\n  }` : `  if (i < params.start_${k + 1}) {\n${code}\n  }`;
  }).join(' else\n');
}

/** Each slot's first invocation for slots of these sizes (in workgroups of `workgroup`), and the invocations in all. */
export function slotStarts(sizes: readonly number[], workgroup: number): { starts: number[]; invocations: number } {
  const starts = [0];
  for (let k = 1; k < sizes.length; k++) starts.push(starts[k - 1] + Math.ceil(sizes[k - 1] / workgroup) * workgroup);
  return { starts, invocations: starts[sizes.length - 1] + sizes[sizes.length - 1] };
}

/**
 * Picks the matmul inner loop for a shape: the vec4 core (16-byte loads) when every operand row
 * is a whole number of vec4s, else the scalar core. Shared by matmul and the fused SIREN layer.
 */
import type { Kernel } from '../gpu/kernel.ts';

export function usesVec4Core(M: number, N: number, K: number, transA: boolean): boolean {
  return K % 4 === 0 && N % 4 === 0 && (!transA || M % 4 === 0);
}

const cache = new Map<string, Kernel>();

export function matmulFamilyKernel(
  base: Omit<Kernel, 'snippets' | 'constants'> & { constants?: Record<string, number> },
  transA: boolean, transB: boolean, vec4: boolean,
): Kernel {
  const name = `${base.name}${transA ? '.tA' : ''}${transB ? '.tB' : ''}${vec4 ? '.vec4' : ''}`;
  let k = cache.get(name);
  if (!k) {
    k = {
      ...base,
      name,
      snippets: { OPERAND: vec4 ? 'vec4<f32>' : 'f32', CORE: vec4 ? 'matmul_core_vec4.wgsl' : 'matmul_core.wgsl' },
      constants: { ...base.constants, TRANS_A: Number(transA), TRANS_B: Number(transB) },
    };
    cache.set(name, k);
  }
  return k;
}

/**
 * Small helpers for bench-only GPU work (portable): pipelines with explicit layouts for the
 * kernels in kernels.ts, buffers, seeded host matrices, and a sampled check of matmul results
 * against a float64 dot product on the CPU (a benchmark of a wrong answer is worthless).
 */
import { mulberry32 } from '../src/index.ts';

export type BindingKind = 'read' | 'storage' | 'uniform';

export interface BenchPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export async function benchPipeline(device: GPUDevice, code: string, label: string, bindings: BindingKind[]): Promise<BenchPipeline> {
  const module = device.createShaderModule({ code, label });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    const lines = code.split('\n');
    throw new Error(`${label}: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`).join('\n')}`);
  }
  const layout = device.createBindGroupLayout({
    label,
    entries: bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: kind === 'read' ? 'read-only-storage' : kind === 'storage' ? 'storage' : 'uniform' },
    })),
  });
  const pipeline = await device.createComputePipelineAsync({
    label,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout], label }),
    compute: { module, entryPoint: 'main' },
  });
  return { pipeline, layout };
}

export function storageBuffer(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label });
}

export function bindGroup(device: GPUDevice, p: BenchPipeline, buffers: GPUBuffer[], label: string): GPUBindGroup {
  return device.createBindGroup({ layout: p.layout, label, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
}

/** Records one pass of `count` identical dispatches and submits it. */
export function submitDispatches(device: GPUDevice, p: BenchPipeline, group: GPUBindGroup, workgroups: [number, number, number], count = 1): void {
  const encoder = device.createCommandEncoder({ label: 'bench' });
  const pass = encoder.beginComputePass({ label: 'bench' });
  pass.setPipeline(p.pipeline);
  pass.setBindGroup(0, group);
  for (let i = 0; i < count; i++) pass.dispatchWorkgroups(...workgroups);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Workgroup counts for `groups` workgroups, folded into 2-D past the per-dimension limit. */
export function foldGrid(groups: number, maxPerDimension: number): [number, number, number] {
  if (groups <= maxPerDimension) return [groups, 1, 1];
  const rows = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / rows), rows, 1];
}

/** Seeded U(-1, 1) values. */
export function randomMatrix(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = 2 * random() - 1;
  return out;
}

/**
 * Largest relative error over `samples` entries of C = op(A)·op(B), where A is stored [M,K]
 * (or [K,M] when transA) and B [K,N] (or [N,K] when transB), against float64 sums.
 */
export function matmulError(
  a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number,
  transA = false, transB = false, samples = 32,
): number {
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    const i = (s * 2654435761) % M;
    const j = (s * 40503 + 7) % N;
    let sum = 0;
    let scale = 0;
    for (let k = 0; k < K; k++) {
      const term = (transA ? a[k * M + i] : a[i * K + k]) * (transB ? b[j * K + k] : b[k * N + j]);
      sum += term;
      scale += Math.abs(term);
    }
    worst = Math.max(worst, Math.abs(sum - c[i * N + j]) / (scale + 1e-30));
  }
  return worst;
}

/** fp32 accumulation of K terms: error relative to Σ|terms| stays well under this. */
export const MATMUL_TOLERANCE = 1e-4;

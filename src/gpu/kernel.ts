/**
 * A kernel is a WGSL file plus what varies between its pipelines (snippets, override constants)
 * and its binding layout. Layout convention for every shader in shaders/ (group 0):
 *   bindings 0 .. inputs-1        read-only storage (inputs)
 *   bindings inputs .. +outputs-1 read-write storage (outputs)
 *   last binding                  uniform `params` (sizes, scalars), when `uniform` is true; its
 *                                 offset in the runtime's uniform arena is dynamic, so one bind
 *                                 group serves every dispatch over the same buffers
 * Shapes never go into the source: one pipeline serves every shape.
 */
import { shaderSource } from './shaders.ts';

export interface Kernel {
  /** label for pipelines, errors and profiles, e.g. "unary.sin" */
  name: string;
  /** file in shaders/ */
  file: string;
  /** entry point; 'main' when omitted */
  entryPoint?: string;
  snippets?: Record<string, string>;
  /** WGSL `override` constants (tile sizes, workgroup sizes) */
  constants?: Record<string, number>;
  inputs: number;
  outputs: number;
  uniform: boolean;
}

export interface CompiledKernel {
  kernel: Kernel;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** bind groups by their buffers and sizes (see Runtime.bindGroup): a training step binds the same pooled buffers every step */
  groups: Map<string, GPUBindGroup>;
}

/** Pipeline cache keyed by WGSL source and constants; reports compile errors with the kernel's name. */
export class PipelineCache {
  private cache = new Map<string, CompiledKernel>();
  /** Kernels are long-lived objects: remember each one's pipeline to skip rebuilding its source. */
  private byKernel = new WeakMap<Kernel, CompiledKernel>();
  /** compile messages that arrive asynchronously; the runtime raises them at the next flush */
  readonly compileErrors: string[] = [];

  constructor(private device: GPUDevice) {}

  get size(): number {
    return this.cache.size;
  }

  get(kernel: Kernel): CompiledKernel {
    const known = this.byKernel.get(kernel);
    if (known) return known;
    const code = shaderSource(kernel.file, kernel.snippets);
    const key = `${kernel.entryPoint ?? 'main'}|${kernel.inputs}/${kernel.outputs}/${kernel.uniform}|${JSON.stringify(kernel.constants ?? {})}|${code}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      compiled = this.compile(kernel, code);
      this.cache.set(key, compiled);
    }
    this.byKernel.set(kernel, compiled);
    return compiled;
  }

  private compile(kernel: Kernel, code: string): CompiledKernel {
    if (typeof process !== 'undefined' && process.env?.FUSEGRAD_DUMP_WGSL) {
      console.error(`// ---- ${kernel.name} (${kernel.file}) ${JSON.stringify(kernel.constants ?? {})}\n${code}`);
    }
    const module = this.device.createShaderModule({ code, label: kernel.name });
    module.getCompilationInfo().then((info) => {
      for (const m of info.messages) {
        if (m.type !== 'error') continue;
        const line = code.split('\n')[m.lineNum - 1] ?? '';
        this.compileErrors.push(`${kernel.name} (shaders/${kernel.file}) ${m.lineNum}:${m.linePos}: ${m.message}\n    ${line}`);
      }
    }, () => undefined);
    const entries: GPUBindGroupLayoutEntry[] = [];
    const count = kernel.inputs + kernel.outputs;
    for (let i = 0; i < count; i++) {
      entries.push({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: i < kernel.inputs ? 'read-only-storage' : 'storage' },
      });
    }
    if (kernel.uniform) entries.push({ binding: count, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } });
    const layout = this.device.createBindGroupLayout({ entries, label: kernel.name });
    const pipeline = this.device.createComputePipeline({
      label: kernel.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout], label: kernel.name }),
      compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: kernel.constants },
    });
    return { kernel, pipeline, layout, groups: new Map() };
  }
}

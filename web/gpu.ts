/**
 * Starting the engine in the page: the same init() as in Node (src/gpu/device.ts asks
 * navigator.gpu here). A missing navigator.gpu, or no adapter, comes back as a FusegradError;
 * the page shows its message instead of a stack trace.
 */
import { FusegradError, init, type Runtime } from '../src/index.ts';

export type GpuStart = { ok: true; runtime: Runtime; adapter: string } | { ok: false; message: string };

/** The adapter in words, e.g. "NVIDIA GeForce RTX 3060" or "google swiftshader (CPU emulation)". */
export function adapterName(rt: Runtime): string {
  const r = rt.report;
  // Browsers often leave `description` empty; device.ts then falls back to the vendor alone.
  const name = r.description === r.vendor && r.architecture ? `${r.vendor} ${r.architecture}` : r.description;
  return r.swiftshader ? `${name} (CPU emulation: slow)` : name;
}

export async function startGpu(): Promise<GpuStart> {
  try {
    const runtime = await init();
    return { ok: true, runtime, adapter: adapterName(runtime) };
  } catch (err) {
    if (err instanceof FusegradError) {
      const reason = 'gpu' in navigator ? 'This browser offers WebGPU but found no usable GPU adapter.' : 'This browser has no WebGPU (navigator.gpu is missing).';
      return { ok: false, message: `${reason} ${err.message}` };
    }
    return { ok: false, message: `WebGPU could not start: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Finding a GPU: `navigator.gpu` in a browser, dawn.node (the `webgpu` package) in Node.
 * In Node, when no adapter appears and Debian's chromium package has left its SwiftShader
 * Vulkan driver on disk, we point the Vulkan loader at it and try again (and say so on stderr):
 * that is how fusegrad runs on machines without a GPU.
 */
import { FusegradError } from '../errors.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface AdapterReport {
  /** e.g. "NVIDIA H100 80GB HBM3" or "SwiftShader driver 5.0.0" */
  description: string;
  vendor: string;
  architecture: string;
  /** 'node' (dawn.node) or 'browser' */
  host: 'node' | 'browser';
  /** true when we switched to the SwiftShader CPU driver ourselves */
  swiftshader: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface AcquiredDevice {
  /** The GPU instance. Hold on to it: if dawn.node's instance is garbage-collected while the
   * device lives, the next event poll dereferences freed memory and the process aborts. */
  gpu: GPU;
  device: GPUDevice;
  adapter: GPUAdapter;
  report: AdapterReport;
}

export interface DeviceOptions {
  /** 'high-performance' by default */
  powerPreference?: GPUPowerPreference;
  /** Pretend the adapter's binding limit is this small (tests of the tiling paths). */
  maxStorageBufferBindingSize?: number;
  /** Pretend the adapter allows this few storage buffers per shader stage (tests of Adam's passes). */
  maxStorageBuffersPerShaderStage?: number;
  /** Ask the device for at most this much workgroup memory (WebGPU's least is 16,384 bytes), so that it rejects a kernel over it (tests of the tile plans). */
  maxComputeWorkgroupStorageSize?: number;
  /** Extra dawn.node toggles, e.g. ['enable-dawn-features=disable_robustness']. */
  dawnFlags?: string[];
  /** Silence the stderr note about the SwiftShader fallback. */
  quiet?: boolean;
}

const LIMITS_WE_RAISE = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension',
] as const;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * Dawn rounds timestamps down to 65.536 µs by default (a browser's guard against timing
 * attacks), which made most kernels of a profile read 0 or 0.066 ms on an H200. A Node process
 * has nothing to guard, and the profiler and the benchmarks' GPU times need the real values.
 */
const DISABLE = 'disable-dawn-features=';
function withNodeDefaults(flags: string[]): string[] {
  const own = flags.find((f) => f.startsWith(DISABLE));
  const toggles = ['timestamp_quantization', ...(own ? [own.slice(DISABLE.length)] : [])];
  return [...flags.filter((f) => f !== own), DISABLE + toggles.join(',')];
}

async function nodeGpu(flags: string[]): Promise<GPU> {
  // Imported lazily so that browser bundles never see dawn.node.
  const { create, globals } = await import('webgpu');
  // dawn.node's GPU* classes (GPUBufferUsage, GPUMapMode, ...) are needed as globals.
  Object.assign(globalThis, globals);
  return create(withNodeDefaults(flags));
}

async function tryAdapter(gpu: GPU, powerPreference: GPUPowerPreference): Promise<GPUAdapter | null> {
  try { return await gpu.requestAdapter({ powerPreference }); } catch { return null; }
}

function noGpuMessage(): string {
  return [
    'fusegrad: no WebGPU adapter found.',
    isNode
      ? 'Install a Vulkan driver for your GPU, or the CPU fallback: `sudo apt-get install -y chromium libvulkan1` ' +
        `(fusegrad then uses SwiftShader from ${SWIFTSHADER_ICD}), or run scripts/setup.sh.`
      : 'Use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).',
  ].join(' ');
}

export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  const powerPreference = options.powerPreference ?? 'high-performance';
  let swiftshader = false;
  let gpu: GPU | undefined;
  let adapter: GPUAdapter | null = null;
  if (!isNode) {
    gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu) throw new FusegradError(noGpuMessage());
    adapter = await tryAdapter(gpu, powerPreference);
  } else {
    const fs = await import('node:fs');
    // SwiftShader's Vulkan driver complains loudly when this is unset; it needs no real value.
    process.env.XDG_RUNTIME_DIR ??= (await import('node:os')).tmpdir();
    gpu = await nodeGpu(options.dawnFlags ?? []);
    adapter = await tryAdapter(gpu, powerPreference);
    if (!adapter && !process.env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD)) {
      // The Vulkan loader reads this variable when dawn creates its next instance.
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
      gpu = await nodeGpu(options.dawnFlags ?? []);
      adapter = await tryAdapter(gpu, powerPreference);
      swiftshader = !!adapter;
      if (adapter && !options.quiet) {
        process.stderr.write(`fusegrad: no GPU adapter found; using the SwiftShader CPU Vulkan driver (${SWIFTSHADER_ICD}). This is slow.\n`);
      }
    }
  }
  if (!adapter) throw new FusegradError(noGpuMessage());

  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS_WE_RAISE) requiredLimits[name] = adapter.limits[name];
  if (options.maxComputeWorkgroupStorageSize) {
    requiredLimits.maxComputeWorkgroupStorageSize = Math.min(requiredLimits.maxComputeWorkgroupStorageSize, options.maxComputeWorkgroupStorageSize);
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'fusegrad' });

  const limits: Record<string, number> = {};
  for (const name of LIMITS_WE_RAISE) limits[name] = device.limits[name];
  if (options.maxStorageBufferBindingSize) {
    limits.maxStorageBufferBindingSize = Math.min(limits.maxStorageBufferBindingSize, options.maxStorageBufferBindingSize);
  }
  if (options.maxStorageBuffersPerShaderStage) {
    limits.maxStorageBuffersPerShaderStage = Math.min(limits.maxStorageBuffersPerShaderStage, options.maxStorageBuffersPerShaderStage);
  }
  const info = adapter.info;
  const report: AdapterReport = {
    description: info.description || info.device || info.vendor || 'unknown adapter',
    vendor: info.vendor,
    architecture: info.architecture,
    host: isNode ? 'node' : 'browser',
    swiftshader: swiftshader || /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`),
    features: [...device.features].sort(),
    limits,
  };
  return { gpu, device, adapter, report };
}

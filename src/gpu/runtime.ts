/**
 * The runtime: one device, one buffer pool, one pipeline cache, and the single dispatch path
 * that every op uses. Work is recorded into one command encoder (one compute pass) and
 * submitted only at a read, at the end of a step (`flush()`), or when the uniform arena fills —
 * never once per op.
 */
import { FusegradError } from '../errors.ts';
import { acquireDevice, type AdapterReport, type DeviceOptions } from './device.ts';
import { PipelineCache, type CompiledKernel, type Kernel } from './kernel.ts';
import type { Params } from './params.ts';
import { BufferPool } from './pool.ts';
import { StepRecording } from './recording.ts';
import { loadShaderSources } from './shaders.ts';
import { waitForGpu, type WaitStrategy } from './wait.ts';
import { KernelProfiler, type KernelTime } from './profiler.ts';

export interface RuntimeOptions extends DeviceOptions {
  /** how to wait for the GPU in Node (see wait.ts); 'spin' is dawn.node's own behaviour */
  wait?: WaitStrategy;
  /** training steps allowed in flight: `throttle()` returns once fewer are unfinished (default 4) */
  maxInFlight?: number;
  /**
   * Which kind of adapter the kernel choices are tuned for (Runtime.tuning): 'cpu' on
   * SwiftShader, 'gpu' elsewhere, unless this or FUSEGRAD_TUNING says otherwise. 'gpu' on
   * SwiftShader runs the GPU paths slowly but exactly (test/engine/tuning.test.ts).
   */
  tuning?: Tuning;
  /**
   * Bytes of uniform params one submit (or one segment of a recorded step) packs, at 256 a
   * dispatch: 256 KiB by default. The tests make it small to make a recorded step split.
   */
  uniformArenaBytes?: number;
}

/**
 * 'cpu': few, large workgroups with long loops (SwiftShader runs a workgroup on one CPU thread
 * and pays for every barrier); 'gpu': enough workgroups to fill a GPU, short loops, coalesced loads.
 */
export type Tuning = 'cpu' | 'gpu';

function chooseTuning(report: AdapterReport, asked: Tuning | undefined): Tuning {
  const fromEnv = typeof process !== 'undefined' ? process.env?.FUSEGRAD_TUNING : undefined;
  const wanted = asked ?? fromEnv;
  if (wanted === 'cpu' || wanted === 'gpu') return wanted;
  if (wanted) throw new FusegradError(`FUSEGRAD_TUNING must be cpu or gpu, not ${JSON.stringify(wanted)}`);
  return report.swiftshader ? 'cpu' : 'gpu';
}

/** A buffer to bind; a Tensor is one (its `bytes` is its data's size, not the pooled buffer's). */
export interface Binding {
  readonly buffer: GPUBuffer;
  /** bytes to bind; defaults to the whole buffer */
  readonly bytes?: number;
}

export interface DispatchArgs {
  inputs: Binding[];
  outputs: Binding[];
  params?: Params;
  /**
   * For params that change from step to step (Adam's bias corrections): called before each
   * replay of a recorded step to make this dispatch's params afresh (see recording.ts).
   */
  refresh?: () => Params;
  /** workgroup counts; use `grid1d` to fold large 1-D grids into 2-D */
  workgroups: [number, number?, number?];
}

// Uniform params of all dispatches of one submit are packed into one buffer at 256-byte slots.
const UNIFORM_SLOT = 256;
const UNIFORM_ARENA_BYTES = 256 * 1024;

/** Bind groups cached per kernel before its cache starts over (see Runtime.bindGroup). */
const BIND_GROUPS_PER_KERNEL = 512;

/** A number per GPUBuffer object, for bind-group keys. */
const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 1;
function bufferId(buffer: GPUBuffer): number {
  let id = bufferIds.get(buffer);
  if (id === undefined) {
    id = nextBufferId++;
    bufferIds.set(buffer, id);
  }
  return id;
}

export class Runtime {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly maxInFlight: number;
  waitStrategy: WaitStrategy;
  /** counters for benchmarks and tests */
  readonly counters = { dispatches: 0, submits: 0, reads: 0 };

  /** a 4-byte storage buffer for outputs a kernel variant does not use */
  readonly unusedOutput: Binding;
  /**
   * One float, 1, written at creation and never after (no COPY_DST): the seed of backward() on a
   * scalar loss (src/tensor/create.ts unitScalar), which would otherwise be a pass of its own.
   */
  readonly one: GPUBuffer;
  private encoder: GPUCommandEncoder | null = null;
  /** buffers that the recorded, unsubmitted work reads or writes (see write()) */
  private recorded = new Set<GPUBuffer>();
  private pass: GPUComputePassEncoder | null = null;
  /** the pipeline last set in `pass` */
  private passPipeline: GPUComputePipeline | null = null;
  private dynamicOffset = [0];
  /** set between startProfiling() and stopProfiling() */
  private profiler: KernelProfiler | null = null;
  /** set while capture() runs its step */
  private recording: StepRecording | null = null;
  private uniformArena: GPUBuffer;
  private readonly uniformArenaBytes: number;
  private uniformBytes: Uint8Array;
  private uniformView: DataView;
  private uniformUsed = 0;
  /** per step that throttle() let run ahead, oldest first: resolves when that step's work is done */
  private stepsInFlight: Promise<void>[] = [];
  private gpuErrors: string[] = [];
  private lostMessage: string | null = null;
  private destroyed = false;
  private lost: Promise<never>;
  /** what the kernel choices (block sizes, split-K, reduction forms) are tuned for */
  readonly tuning: Tuning;

  private constructor(
    /** kept referenced for the device's lifetime (see AcquiredDevice.gpu) */
    readonly gpu: GPU,
    readonly device: GPUDevice,
    readonly report: AdapterReport,
    options: RuntimeOptions,
  ) {
    this.tuning = chooseTuning(report, options.tuning);
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device);
    this.waitStrategy = options.wait ?? 'backoff';
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.uniformArenaBytes = Math.max(UNIFORM_SLOT, Math.floor((options.uniformArenaBytes ?? UNIFORM_ARENA_BYTES) / UNIFORM_SLOT) * UNIFORM_SLOT);
    this.uniformBytes = new Uint8Array(this.uniformArenaBytes);
    this.uniformView = new DataView(this.uniformBytes.buffer);
    this.uniformArena = device.createBuffer({
      size: this.uniformArenaBytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'uniform arena',
    });
    this.unusedOutput = { buffer: device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'unused output' }) };
    this.one = device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'one', mappedAtCreation: true });
    new Float32Array(this.one.getMappedRange()).set([1]);
    this.one.unmap();
    // Rejects when the device is lost, so that pending waits end with a clear error, not a hang.
    this.lost = device.lost.then((info) => {
      this.lostMessage = `the GPU device was lost (${info.reason}): ${info.message || 'no details'}`;
      throw new FusegradError(this.lostMessage, 3);
    });
    this.lost.catch(() => undefined);
    device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
      this.gpuErrors.push(event.error.message);
    };
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    await loadShaderSources();
    const { gpu, device, report } = await acquireDevice(options);
    return new Runtime(gpu, device, report, options);
  }

  get limits(): Record<string, number> {
    return this.report.limits;
  }

  /** Workgroup counts for `threads` invocations of `workgroupSize`, folded into 2-D past the per-dimension limit. */
  grid1d(threads: number, workgroupSize: number): [number, number] {
    const groups = Math.max(1, Math.ceil(threads / workgroupSize));
    const maxDim = this.report.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= maxDim) return [groups, 1];
    const rows = Math.ceil(groups / maxDim);
    return [Math.ceil(groups / rows), rows];
  }

  /** Storage buffer from the pool; `bytes` may be 0 (a 4-byte buffer is used). */
  allocate(bytes: number, label: string): GPUBuffer {
    this.checkAlive();
    if (bytes > this.report.limits.maxBufferSize) {
      throw new FusegradError(
        `${label}: needs a ${(bytes / 2 ** 20).toFixed(0)} MiB GPU buffer, over this adapter's maxBufferSize ` +
        `(${(this.report.limits.maxBufferSize / 2 ** 20).toFixed(0)} MiB); use a smaller image or tile size`);
    }
    return this.pool.acquire(Math.max(4, bytes), label);
  }

  release(buffer: GPUBuffer): void {
    this.recording?.noteRelease(buffer);
    if (!this.destroyed) this.pool.release(buffer);
  }

  /**
   * Writes host data into a buffer, in program order: queue.writeBuffer takes effect before the
   * next submit, so if recorded, unsubmitted work touches this buffer (a fill that made the
   * tensor, a kernel that reads it) that work is submitted first; otherwise the fill would run
   * after the write and erase it (loading weights into ones()/zeros() tensors did exactly that).
   * Inside a recorded step (capture) only `constant` data may be written: a replay uploads the
   * recorded bytes again.
   */
  write(buffer: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, byteOffset = 0, constant = false): void {
    this.checkAlive();
    if (this.recording) {
      if (!constant) {
        throw new Error(`capture: the recorded step uploads host data (into ${buffer.label}), which a replay would repeat byte for ` +
          'byte; make data that changes per step before the step and write it between replays, or mark a constant ' +
          '(tensor(data, shape, { constant: true }))');
      }
      this.recording.addUpload(buffer, data, byteOffset);
    }
    if (this.recorded.has(buffer)) this.flush();
    this.device.queue.writeBuffer(buffer, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  dispatch(kernel: Kernel, args: DispatchArgs): void {
    this.checkAlive();
    if (args.inputs.length !== kernel.inputs || args.outputs.length !== kernel.outputs) {
      throw new Error(`${kernel.name}: expects ${kernel.inputs} inputs/${kernel.outputs} outputs, got ${args.inputs.length}/${args.outputs.length}`);
    }
    const compiled = this.pipelines.get(kernel);
    const bindings = args.inputs.length ? [...args.inputs, ...args.outputs] : args.outputs;
    let offset = 0;
    let paramsBytes = 0;
    if (kernel.uniform) {
      if (!args.params) throw new Error(`${kernel.name}: needs params`);
      paramsBytes = args.params.byteLength;
      const slots = Math.ceil(paramsBytes / UNIFORM_SLOT) * UNIFORM_SLOT;
      if (this.uniformUsed + slots > this.uniformArenaBytes) this.flush();
      offset = this.uniformUsed;
      args.params.writeTo(this.uniformView, offset);
      this.uniformUsed += slots;
    }
    for (const b of bindings) this.recorded.add(b.buffer);
    const bindGroup = this.bindGroup(compiled, bindings, paramsBytes);
    if (this.profiler) {
      // a pass of its own, bracketed by timestamps (see profiler.ts)
      if (this.profiler.full) this.flush();
      this.endPass();
      this.pass = this.commandEncoder().beginComputePass(this.profiler.passFor(kernel.name));
    }
    this.recording?.addDispatch(
      compiled.pipeline, bindGroup, args.inputs.map((b) => b.buffer), args.outputs.map((b) => b.buffer), kernel.uniform ? args.params! : null,
      [args.workgroups[0], args.workgroups[1] ?? 1, args.workgroups[2] ?? 1], args.refresh);
    const pass = this.computePass();
    // each call into dawn.node costs a microsecond or two: skip the pipeline when it is set already
    if (this.passPipeline !== compiled.pipeline) {
      pass.setPipeline(compiled.pipeline);
      this.passPipeline = compiled.pipeline;
    }
    if (kernel.uniform) {
      this.dynamicOffset[0] = offset;
      pass.setBindGroup(0, bindGroup, this.dynamicOffset);
    } else {
      pass.setBindGroup(0, bindGroup);
    }
    const [x, y = 1, z = 1] = args.workgroups;
    pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    if (this.profiler) this.endPass();
  }

  /**
   * The bind group of a dispatch, from the kernel's cache when these buffers were bound with these
   * sizes before: dawn.node takes ~30 µs to create one, more than the rest of a small op's
   * recording, and a training step binds the same pooled buffers every step. The uniform params
   * binding has a dynamic offset, so it is the same in every group. A buffer is never reused after
   * destroy(), so a group of a destroyed buffer is never hit again; each cache is cleared when it
   * grows past BIND_GROUPS_PER_KERNEL.
   */
  private bindGroup(compiled: CompiledKernel, bindings: readonly Binding[], paramsBytes: number): GPUBindGroup {
    const maxBinding = this.report.limits.maxStorageBufferBindingSize;
    let key = '';
    for (const b of bindings) key += `${bufferId(b.buffer)}:${b.bytes ?? b.buffer.size},`;
    key += paramsBytes;
    let group = compiled.groups.get(key);
    if (group) return group;
    const entries: GPUBindGroupEntry[] = bindings.map((b, i) => {
      const size = b.bytes ?? b.buffer.size;
      if (size > maxBinding) {
        throw new Error(`${compiled.kernel.name}: binding ${i} is ${size} bytes, over maxStorageBufferBindingSize ${maxBinding}; the op must tile`);
      }
      return { binding: i, resource: { buffer: b.buffer, size: Math.max(4, Math.ceil(size / 4) * 4) } };
    });
    if (compiled.kernel.uniform) entries.push({ binding: entries.length, resource: { buffer: this.uniformArena, offset: 0, size: paramsBytes } });
    group = this.device.createBindGroup({ layout: compiled.layout, entries, label: compiled.kernel.name });
    if (compiled.groups.size >= BIND_GROUPS_PER_KERNEL) compiled.groups.clear();
    compiled.groups.set(key, group);
    return group;
  }

  /**
   * Starts timing every dispatch by kernel name (GPU timestamps); stopProfiling() returns the
   * totals. Needs the adapter's 'timestamp-query' feature.
   */
  startProfiling(): void {
    this.checkAlive();
    if (this.recording) throw new Error('startProfiling: not inside a recorded step');
    if (!this.device.features.has('timestamp-query')) {
      throw new FusegradError(`${this.report.description} does not offer timestamp queries, so kernels cannot be profiled`);
    }
    this.flush();
    this.profiler?.destroy();
    this.profiler = new KernelProfiler(this.device);
  }

  /** Ends the profile started by startProfiling(): GPU time per kernel, slowest first. */
  async stopProfiling(): Promise<KernelTime[]> {
    const profiler = this.profiler;
    if (!profiler) throw new Error('stopProfiling: no profile was started');
    await this.sync();
    this.profiler = null;
    try {
      return await profiler.report((p) => this.guard(p));
    } finally {
      profiler.destroy();
    }
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.checkAlive();
    this.endPass();
    this.recorded.add(src).add(dst);
    this.recording?.addCopy(src, srcOffset, dst, dstOffset, bytes);
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /**
   * Runs `step` once, as usual, and records the commands it issues, so that replay() can issue
   * them again without the step's JavaScript (see recording.ts for what a step may do). What
   * `step` returns (a loss) keeps its buffers: each replay writes its new values there. Dispose
   * the recording when done; the returned tensors stay the caller's.
   */
  capture<T>(step: () => T): { result: T; recording: StepRecording } {
    this.checkAlive();
    if (this.recording) throw new Error('capture: a step is being recorded already');
    if (this.profiler) throw new Error('capture: not while profiling (the profiler times eager steps)');
    this.flush();
    const recording = new StepRecording(this.pool, UNIFORM_SLOT, this.uniformArenaBytes);
    this.recording = recording;
    try {
      const result = step();
      if (result instanceof Promise) throw new Error('capture: the step must be synchronous (ops only record; await reads after it)');
      recording.checkStateStaysPut();
      return { result, recording };
    } catch (err) {
      recording.dispose();
      throw err;
    } finally {
      this.recording = null;
    }
  }

  /** Host state a step advances (an optimiser's step count): `advance` runs again at each replay. */
  onReplay(advance: () => void): void {
    this.recording?.addHook(advance);
  }

  /**
   * Issues a recorded step again: its uploads, then per segment (all of a small step) one write
   * of its params and one submit.
   */
  replay(recording: StepRecording): void {
    this.checkAlive();
    if (this.recording) throw new Error('replay: not inside a recorded step');
    if (this.profiler) throw new Error('replay: not while profiling (the profiler times eager steps)');
    this.flush();
    recording.prepare();
    const queue = this.device.queue;
    for (const u of recording.hostData) queue.writeBuffer(u.buffer, u.byteOffset, u.data.buffer, u.data.byteOffset, u.data.byteLength);
    for (const segment of recording.segments) {
      const uniforms = recording.uniformsOf(segment);
      if (uniforms.byteLength) queue.writeBuffer(this.uniformArena, 0, uniforms.buffer, uniforms.byteOffset, uniforms.byteLength);
      const encoder = this.device.createCommandEncoder({ label: 'fusegrad replay' });
      recording.encode(segment, encoder, 'fusegrad replay');
      queue.submit([encoder.finish()]);
      this.counters.submits++;
    }
    this.counters.dispatches += recording.dispatches;
    this.raiseGpuErrors();
  }

  /** Submits everything recorded so far. Cheap when nothing is recorded. */
  flush(): void {
    this.checkAlive();
    this.endPass();
    if (!this.encoder) return;
    this.profiler?.resolve(this.encoder);
    if (this.uniformUsed > 0) {
      this.device.queue.writeBuffer(this.uniformArena, 0, this.uniformBytes.buffer, 0, this.uniformUsed);
      this.uniformUsed = 0;
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.recorded.clear();
    this.pool.afterSubmit();
    this.counters.submits++;
    this.raiseGpuErrors();
  }

  /** Waits until all submitted work is done. */
  async sync(): Promise<void> {
    this.flush();
    await this.guard(this.device.queue.onSubmittedWorkDone());
    this.stepsInFlight = [];
    this.raiseGpuErrors();
  }

  /**
   * Call once per training step, after it: submits it and returns once fewer than
   * `maxInFlight` steps are unfinished. It waits for an earlier step, not for all work, so the
   * GPU keeps the step just submitted to run while the CPU issues the next (waiting for all work
   * drained the queue every other step: a bubble of one wake-up and one step's issue).
   */
  async throttle(): Promise<void> {
    this.flush();
    const done = this.device.queue.onSubmittedWorkDone();
    done.catch(() => {}); // a device loss rejects it; guard() reports the loss where it is awaited
    this.stepsInFlight.push(done);
    while (this.stepsInFlight.length >= this.maxInFlight) await this.guard(this.stepsInFlight.shift()!);
    this.raiseGpuErrors();
  }

  /** Copies `bytes` of `buffer` to the host, once all work before it is done. */
  async read(buffer: GPUBuffer, bytes: number, byteOffset = 0): Promise<ArrayBuffer> {
    const out = await this.readLater(buffer, bytes, byteOffset);
    this.stepsInFlight = []; // nothing was submitted after the copy, which ran after every step
    return out;
  }

  /**
   * The one readback path. Records a copy of `bytes` of `buffer` as it is now (after the work
   * recorded so far), submits it, and returns the read without waiting for it: steps submitted
   * meanwhile keep the GPU busy, where awaiting at once would drain its queue (a training loop
   * reads its loss this way, one read behind).
   */
  readLater(buffer: GPUBuffer, bytes: number, byteOffset = 0): Promise<ArrayBuffer> {
    this.checkAlive();
    if (this.recording) throw new Error('capture: a recorded step cannot read back; read after it');
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback' });
    try {
      this.copy(buffer, byteOffset, staging, 0, size);
      this.flush();
    } catch (err) {
      staging.destroy();
      throw err;
    }
    const mapped = staging.mapAsync(GPUMapMode.READ);
    mapped.catch(() => {}); // a device loss rejects it; guard() reports the loss where it is awaited
    return (async () => {
      try {
        await this.guard(mapped);
        this.counters.reads++;
        const out = staging.getMappedRange().slice(0, bytes);
        staging.unmap();
        this.raiseGpuErrors();
        return out;
      } finally {
        staging.destroy();
      }
    })();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.encoder = null;
    this.pass = null;
    this.pool.trim();
    this.uniformArena.destroy();
    this.device.destroy();
  }

  get isLost(): boolean {
    return this.lostMessage !== null;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.commandEncoder().beginComputePass({ label: 'fusegrad step' });
    return this.pass;
  }

  private commandEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'fusegrad step' });
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
      this.passPipeline = null;
    }
  }

  /** Awaits a GPU promise, but gives up with a clear error when the device is lost meanwhile. */
  private async guard<T>(promise: Promise<T>): Promise<T> {
    try {
      return await waitForGpu(Promise.race([promise, this.lost]), this.waitStrategy);
    } catch (err) {
      if (err instanceof FusegradError) throw err;
      this.checkAlive();
      throw err;
    }
  }

  private checkAlive(): void {
    if (this.destroyed) throw new FusegradError('this fusegrad runtime was destroyed; call init() again', 3);
    if (this.lostMessage && !this.destroyed) throw new FusegradError(this.lostMessage, 3);
  }

  private raiseGpuErrors(): void {
    const compile = this.pipelines.compileErrors.splice(0);
    const errors = [...compile, ...this.gpuErrors.splice(0)];
    if (errors.length === 0) return;
    if (errors.some((e) => /out of memory/i.test(e))) {
      throw new FusegradError(`the GPU ran out of memory: ${errors[0]}\nUse a smaller image, fewer steps in flight, or a GPU with more memory.`, 3);
    }
    throw new Error(`GPU error(s):\n${errors.join('\n')}`);
  }
}

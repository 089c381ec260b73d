/**
 * A recorded step: the commands one eager run of a training step issued (pipeline, bind group,
 * params, workgroup counts; buffer copies), kept so that `Runtime.replay` can issue them again
 * without running the step's JavaScript: no tape, no tensors, no pool, no bind-group lookups.
 * The idea of CUDA graphs and of jax.jit's traced function. On a fast GPU a small step is bound
 * by that JavaScript (the H200's 64² SIREN step spent 1.96 ms of CPU recording ~0.5 ms of kernels).
 *
 * A replay is exact when the step is a function of GPU state only. Its host-side inputs are
 * either constant (shapes, loss weights) or declared: a dispatch whose params change from step
 * to step passes `refresh` (Adam's bias corrections), and host state that a step advances
 * (Adam's step count) registers a hook with `Runtime.onReplay`. Host data the step uploads is
 * baked in when it is marked constant (SSIM's Gaussian taps), as jax.jit bakes in the arrays a
 * traced function closes over: each replay uploads the recorded bytes again. Other uploads are
 * refused, since data that changes from step to step (a batch, noise) would silently repeat:
 * it belongs in tensors made before the step and written between replays. Also refused: reads,
 * an upload into a buffer the step has already bound, and a step that reads a buffer made before
 * it and lets it go. That last one is state handed to the next step by replacing a tensor (a
 * running mean), which a replay would read stale; such state must be updated in place.
 *
 * Every buffer a command binds is pinned in the pool until dispose(), so that no other tensor
 * is handed a buffer that replays still write.
 */
import type { BufferPool } from './pool.ts';
import type { Params } from './params.ts';

interface Dispatch {
  kind: 'dispatch';
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  /** the params as recorded, or null for a kernel without them */
  params: Params | null;
  /** where this dispatch's params sit in `uniforms` (a multiple of the 256-byte slot) */
  offset: number;
  /** the same from the start of its segment: the dynamic offset in the uniform arena */
  arenaOffset: number;
  workgroups: [number, number, number];
  refresh?: () => Params;
}

interface Copy {
  kind: 'copy';
  src: GPUBuffer;
  srcOffset: number;
  dst: GPUBuffer;
  dstOffset: number;
  bytes: number;
}

/** Host data the step uploaded, uploaded again before each replay's commands. */
interface Upload {
  buffer: GPUBuffer;
  byteOffset: number;
  data: Uint8Array;
}

/** Host state a step advances, advanced again at the same point of each replay. */
interface Hook {
  kind: 'hook';
  run: () => void;
}

type Entry = Dispatch | Copy | Hook;

/**
 * Commands whose params fit the runtime's uniform arena together: a replay writes the
 * segment's params there and submits its commands, one segment after another.
 */
export interface Segment {
  entries: Entry[];
  /** the segment's params: bytes [start, end) of the recording's uniforms */
  start: number;
  end: number;
}

export class StepRecording {
  readonly segments: Segment[] = [{ entries: [], start: 0, end: 0 }];
  private uploads: Upload[] = [];
  private pinned: GPUBuffer[] = [];
  /** buffers pinned by this recording (pinned once each) */
  private seen = new Set<GPUBuffer>();
  /** buffers a dispatch or copy bound */
  private bound = new Set<GPUBuffer>();
  /** buffers the step read before writing them: its inputs, made before the step */
  private readFirst = new Set<GPUBuffer>();
  private written = new Set<GPUBuffer>();
  /** inputs whose tensors the step disposed (see checkStateStaysPut) */
  private inputsLetGo: GPUBuffer[] = [];
  /** the uniform bytes of all dispatches, laid out one after the other */
  private uniforms = new Uint8Array(4096);
  private view = new DataView(this.uniforms.buffer);
  private disposed = false;
  /** dispatches per replay (for the runtime's counters) */
  dispatches = 0;

  constructor(
    private readonly pool: BufferPool,
    /** the uniform arena's slot (the dynamic-offset alignment) and size in bytes */
    private readonly slot: number,
    private readonly arenaBytes: number,
  ) {}

  private get segment(): Segment {
    return this.segments[this.segments.length - 1];
  }

  addDispatch(
    pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, inputs: readonly GPUBuffer[], outputs: readonly GPUBuffer[],
    params: Params | null, workgroups: [number, number, number], refresh?: () => Params,
  ): void {
    let offset = 0;
    if (params) {
      const slots = Math.ceil(params.byteLength / this.slot) * this.slot;
      if (this.segment.end - this.segment.start + slots > this.arenaBytes) {
        this.segments.push({ entries: [], start: this.segment.end, end: this.segment.end });
      }
      offset = this.segment.end;
      this.reserve(offset + slots);
      params.writeTo(this.view, offset);
      this.segment.end += slots;
    }
    this.access(inputs, outputs, true);
    const arenaOffset = offset - this.segment.start;
    this.segment.entries.push({ kind: 'dispatch', pipeline, bindGroup, params, offset, arenaOffset, workgroups, refresh });
    this.dispatches++;
  }

  addCopy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.access([src], [dst], true);
    this.segment.entries.push({ kind: 'copy', src, srcOffset, dst, dstOffset, bytes });
  }

  /** Keeps a copy of data the step uploads; refused where the step's commands bound the buffer already. */
  addUpload(buffer: GPUBuffer, data: ArrayBufferView, byteOffset: number): void {
    if (this.bound.has(buffer)) {
      throw new Error(`capture: the recorded step uploads into ${buffer.label} after binding it; a replay could not repeat that order`);
    }
    this.access([], [buffer], false);
    this.uploads.push({ buffer, byteOffset, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() });
  }

  /** The uploads each replay repeats before its commands, in recorded order. */
  get hostData(): readonly Upload[] {
    return this.uploads;
  }

  addHook(run: () => void): void {
    this.segment.entries.push({ kind: 'hook', run });
  }

  /** The step let a buffer go (its tensor was disposed). */
  noteRelease(buffer: GPUBuffer): void {
    if (this.readFirst.has(buffer)) this.inputsLetGo.push(buffer);
  }

  /** Throws when the step handed state to the next step by replacing a tensor (see the file's comment). */
  checkStateStaysPut(): void {
    if (this.inputsLetGo.length === 0) return;
    const names = [...new Set(this.inputsLetGo.map((b) => b.label))];
    throw new Error(`capture: the step reads ${names.join(', ')}, made before it, and then disposes ${names.length > 1 ? 'them' : 'it'}: ` +
      'it hands state to the next step by replacing a tensor, and a replay would read the old one. Update such state in place.');
  }

  /** Runs the hooks and refreshes the params, in recorded order, for the next replay. */
  prepare(): void {
    if (this.disposed) throw new Error('replay: the recording was disposed');
    for (const segment of this.segments) {
      for (const e of segment.entries) {
        if (e.kind === 'hook') e.run();
        else if (e.kind === 'dispatch' && e.refresh) {
          const params = e.refresh();
          if (params.byteLength !== e.params?.byteLength) throw new Error('replay: refreshed params changed size');
          params.writeTo(this.view, e.offset);
        }
      }
    }
  }

  /** The params a segment binds, to be written at offset 0 of the uniform arena. */
  uniformsOf(segment: Segment): Uint8Array {
    return this.uniforms.subarray(segment.start, segment.end);
  }

  /** Encodes a segment's commands into `encoder`: one compute pass between copies. */
  encode(segment: Segment, encoder: GPUCommandEncoder, label: string): void {
    let pass: GPUComputePassEncoder | null = null;
    let pipeline: GPUComputePipeline | null = null;
    const offsets = [0];
    for (const e of segment.entries) {
      if (e.kind === 'hook') continue;
      if (e.kind === 'copy') {
        pass?.end();
        pass = null;
        encoder.copyBufferToBuffer(e.src, e.srcOffset, e.dst, e.dstOffset, e.bytes);
        continue;
      }
      if (!pass) {
        pass = encoder.beginComputePass({ label });
        pipeline = null;
      }
      if (pipeline !== e.pipeline) {
        pass.setPipeline(e.pipeline);
        pipeline = e.pipeline;
      }
      if (e.params) {
        offsets[0] = e.arenaOffset;
        pass.setBindGroup(0, e.bindGroup, offsets);
      } else {
        pass.setBindGroup(0, e.bindGroup);
      }
      pass.dispatchWorkgroups(...e.workgroups);
    }
    pass?.end();
  }

  /** Gives the pinned buffers back to the pool (tensors that still own them keep them). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.pinned) this.pool.unpin(b);
    this.pinned = [];
    this.segments.length = 0;
    this.uploads = [];
    for (const set of [this.seen, this.bound, this.readFirst, this.written]) set.clear();
    this.inputsLetGo = [];
  }

  private reserve(bytes: number): void {
    if (bytes <= this.uniforms.byteLength) return;
    const grown = new Uint8Array(Math.max(bytes, 2 * this.uniforms.byteLength));
    grown.set(this.uniforms);
    this.uniforms = grown;
    this.view = new DataView(grown.buffer);
  }

  /**
   * Pins what a command binds or an upload fills, and notes which buffers the step reads before
   * anything writes them.
   */
  private access(inputs: readonly GPUBuffer[], outputs: readonly GPUBuffer[], bind: boolean): void {
    for (const b of inputs) if (!this.written.has(b)) this.readFirst.add(b);
    for (const b of outputs) this.written.add(b);
    for (const b of [...inputs, ...outputs]) {
      if (bind) this.bound.add(b);
      if (this.seen.has(b)) continue;
      this.seen.add(b);
      if (this.pool.pin(b)) this.pinned.push(b);
    }
  }
}

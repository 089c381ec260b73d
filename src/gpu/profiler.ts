/**
 * Per-kernel GPU time from timestamp queries. While the runtime profiles, each dispatch gets its
 * own compute pass whose beginning and end write a timestamp (the normal path packs all
 * dispatches of a step into one pass); at each submit the pairs are resolved into a buffer, and
 * all of them are read back when the profile ends, so profiling adds passes but no waits (a
 * pending map would also make dawn.node spin a core, stealing it from SwiftShader's kernels).
 * The totals are per kernel name: which kernels a model spends its time in.
 * Needs the device feature 'timestamp-query' (Dawn, SwiftShader and Chrome have it; browsers
 * quantise the clock to about 100 µs).
 */

/** Total GPU time of one kernel over a profile. */
export interface KernelTime {
  kernel: string;
  dispatches: number;
  ms: number;
}

export class KernelProfiler {
  private readonly querySet: GPUQuerySet;
  /** kernel name per query pair recorded since the last submit */
  private pending: string[] = [];
  /** one per submit: its kernels and the buffer their timestamps were copied to */
  private readonly batches: { kernels: string[]; readable: GPUBuffer }[] = [];
  private readonly resolveBuffers: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice, private readonly capacity = 1024) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity, label: 'fusegrad profiler' });
  }

  /** true when the next dispatch needs a submit first (every query pair is taken) */
  get full(): boolean {
    return this.pending.length >= this.capacity;
  }

  /** The pass descriptor of one profiled dispatch of `kernel`. */
  passFor(kernel: string): GPUComputePassDescriptor {
    const pair = this.pending.length;
    this.pending.push(kernel);
    return {
      label: kernel,
      timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * pair, endOfPassWriteIndex: 2 * pair + 1 },
    };
  }

  /** Records the resolve of this submit's timestamps; call on the encoder about to be finished. */
  resolve(encoder: GPUCommandEncoder): void {
    const kernels = this.pending;
    if (kernels.length === 0) return;
    this.pending = [];
    const bytes = kernels.length * 16;
    const resolved = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'profiler resolve' });
    const readable = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'profiler read' });
    encoder.resolveQuerySet(this.querySet, 0, 2 * kernels.length, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, readable, 0, bytes);
    this.resolveBuffers.push(resolved);
    this.batches.push({ kernels, readable });
  }

  /**
   * Every kernel's total, slowest first. Call after the profiled work was submitted; `wait`
   * awaits a GPU promise the way the runtime does.
   */
  async report(wait: <T>(promise: Promise<T>) => Promise<T>): Promise<KernelTime[]> {
    await wait(Promise.all(this.batches.map((b) => b.readable.mapAsync(GPUMapMode.READ))));
    const totals = new Map<string, KernelTime>();
    for (const { kernels, readable } of this.batches) {
      const stamps = new BigUint64Array(readable.getMappedRange().slice(0));
      kernels.forEach((kernel, i) => {
        const t = totals.get(kernel) ?? { kernel, dispatches: 0, ms: 0 };
        const [begin, end] = [stamps[2 * i], stamps[2 * i + 1]];
        t.dispatches++;
        if (end > begin) t.ms += Number(end - begin) / 1e6;
        totals.set(kernel, t);
      });
    }
    return [...totals.values()].sort((a, b) => b.ms - a.ms);
  }

  destroy(): void {
    this.querySet.destroy();
    for (const b of this.resolveBuffers) b.destroy();
    for (const b of this.batches) b.readable.destroy();
  }
}

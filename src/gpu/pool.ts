/**
 * Buffer pool with size classes. A buffer released during recording goes to `pending` and only
 * becomes reusable after the submit that last used it (queue.writeBuffer runs before any
 * not-yet-submitted commands, so handing a buffer out early could overwrite data that an
 * encoder still has to read). Bytes in use and bytes allocated are tracked apart.
 */
/** Round up to a size class: powers of two below 1 MiB, then steps of 1/8 of the power of two. */
export function sizeClass(bytes: number): number {
  const min = 256;
  if (bytes <= min) return min;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  if (pow <= 1 << 20) return pow;
  const step = pow / 16;
  return Math.ceil(bytes / step) * step;
}

export interface PoolStats {
  /** buffers handed out and not yet released */
  liveBuffers: number;
  liveBytes: number;
  /** buffers owned by the pool, live or free */
  allocatedBuffers: number;
  allocatedBytes: number;
  /** requests served from the free lists */
  reused: number;
}

export class BufferPool {
  /** per size class, highest creation number first: pop() gives the oldest free buffer */
  private free = new Map<number, GPUBuffer[]>();
  private created = new WeakMap<GPUBuffer, number>();
  private nextNumber = 0;
  private pending: GPUBuffer[] = [];
  private stats: PoolStats = { liveBuffers: 0, liveBytes: 0, allocatedBuffers: 0, allocatedBytes: 0, reused: 0 };

  constructor(
    private device: GPUDevice,
    /** free buffers above this many bytes are destroyed instead of kept */
    private capBytes = 1 << 30,
  ) {}

  acquire(bytes: number, label: string): GPUBuffer {
    // Rounding up to a size class must not cross the adapter's buffer limit.
    const size = Math.min(sizeClass(bytes), Math.max(bytes, this.device.limits.maxBufferSize));
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.stats.reused++;
      buffer.label = label;
    } else {
      buffer = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        label,
      });
      this.created.set(buffer, this.nextNumber++);
      this.stats.allocatedBuffers++;
      this.stats.allocatedBytes += size;
    }
    this.stats.liveBuffers++;
    this.stats.liveBytes += size;
    return buffer;
  }

  /** Give a buffer back; it is reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.stats.liveBuffers--;
    this.stats.liveBytes -= buffer.size;
    this.pending.push(buffer);
  }

  /**
   * Called right after a queue submit: pending buffers become reusable. Each free list is kept
   * in creation order, so a repeated step draws the same buffers in the same order whatever
   * order the last step released them in, and its bind groups (cached per set of buffers, see
   * Runtime.bindGroup) are found again: in LIFO order the release order permuted them, and an
   * INRFuse step created 14 to 54 new bind groups every step.
   */
  afterSubmit(): void {
    let freeBytes = 0;
    for (const list of this.free.values()) for (const b of list) freeBytes += b.size;
    const touched = new Set<GPUBuffer[]>();
    for (const buffer of this.pending) {
      if (freeBytes + buffer.size > this.capBytes) {
        this.stats.allocatedBuffers--;
        this.stats.allocatedBytes -= buffer.size;
        buffer.destroy();
        continue;
      }
      freeBytes += buffer.size;
      const list = this.free.get(buffer.size) ?? [];
      list.push(buffer);
      this.free.set(buffer.size, list);
      touched.add(list);
    }
    this.pending = [];
    const number = (b: GPUBuffer) => this.created.get(b) ?? 0;
    for (const list of touched) list.sort((a, b) => number(b) - number(a));
  }

  /** Destroy every free buffer (live ones stay with their tensors). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.allocatedBuffers--;
        this.stats.allocatedBytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }
}

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

/**
 * What the pool knows of a buffer it made, kept on the JS side: dawn.node's getters and setters
 * cost a microsecond or so each.
 */
interface Owned {
  size: number;
  /** creation order */
  number: number;
  label: string;
}

export class BufferPool {
  /** per size class, highest creation number first: pop() gives the oldest free buffer */
  private free = new Map<number, GPUBuffer[]>();
  /** the free buffers in the order they became free: over the limit, the oldest go first */
  private freeSince = new Set<GPUBuffer>();
  private freeBytes = 0;
  private owned = new WeakMap<GPUBuffer, Owned>();
  private nextNumber = 0;
  private pending: GPUBuffer[] = [];
  /** buffers a step recording binds, with how many recordings bind each (see pin()) */
  private pins = new Map<GPUBuffer, number>();
  /** released buffers that a recording still binds: kept out of the free lists until unpinned */
  private parked = new Set<GPUBuffer>();
  private stats: PoolStats = { liveBuffers: 0, liveBytes: 0, allocatedBuffers: 0, allocatedBytes: 0, reused: 0 };
  private maxBufferSize: number;

  /**
   * The most bytes ever held outside the free lists at once: live, or released and waiting for
   * a submit. A repeated step needs that many again, since what it releases before its submit
   * cannot serve its own later requests.
   */
  private peakHeldBytes = 0;

  constructor(
    private device: GPUDevice,
    /**
     * Free buffers beyond this many bytes, or beyond the peak of held bytes where that is more,
     * are destroyed, those free the longest first. An eager 256² SIREN step holds 1.1 GiB: with
     * the cap alone, the pool destroyed two of its 64 MiB buffers at the end of each step and the
     * next step made them again (H100: 46–67 it/s against 198 once kept).
     */
    private capBytes = 1 << 30,
  ) {
    this.maxBufferSize = device.limits.maxBufferSize;
  }

  acquire(bytes: number, label: string): GPUBuffer {
    // Rounding up to a size class must not cross the adapter's buffer limit.
    const size = Math.min(sizeClass(bytes), Math.max(bytes, this.maxBufferSize));
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.stats.reused++;
      this.freeBytes -= size;
      this.freeSince.delete(buffer);
      // a repeated step draws the same buffer for the same tensor: no native call then
      const owned = this.owned.get(buffer);
      if (owned?.label !== label) {
        buffer.label = label;
        if (owned) owned.label = label;
      }
    } else {
      buffer = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        label,
      });
      this.owned.set(buffer, { size, number: this.nextNumber++, label });
      this.stats.allocatedBuffers++;
      this.stats.allocatedBytes += size;
    }
    this.stats.liveBuffers++;
    this.stats.liveBytes += size;
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.stats.allocatedBytes - this.freeBytes);
    return buffer;
  }

  /** Give a buffer back; it is reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.stats.liveBuffers--;
    this.stats.liveBytes -= this.sizeOf(buffer);
    this.pending.push(buffer);
  }

  private sizeOf(buffer: GPUBuffer): number {
    return this.owned.get(buffer)?.size ?? buffer.size;
  }

  /**
   * Keeps a buffer from being handed out again while a step recording (runtime.capture) binds
   * it: a replay writes into the same buffers as the recorded step, whatever tensor owns them
   * by then. A pinned buffer that is released is parked instead of freed. Buffers the pool did
   * not make are not its to keep: returns false for those.
   */
  pin(buffer: GPUBuffer): boolean {
    if (!this.owned.has(buffer)) return false;
    this.pins.set(buffer, (this.pins.get(buffer) ?? 0) + 1);
    return true;
  }

  /**
   * Undoes one pin(). A parked buffer is free at once: it was parked after the submit that
   * followed its release, and since then only replays, each submitted whole, have used it.
   */
  unpin(buffer: GPUBuffer): void {
    const n = this.pins.get(buffer);
    if (n === undefined) return;
    if (n > 1) {
      this.pins.set(buffer, n - 1);
      return;
    }
    this.pins.delete(buffer);
    if (this.parked.delete(buffer)) this.makeFree([buffer]);
  }

  /**
   * Called right after a queue submit: pending buffers become reusable. Each free list is kept
   * in creation order, so a repeated step draws the same buffers in the same order whatever
   * order the last step released them in, and its bind groups (cached per set of buffers, see
   * Runtime.bindGroup) are found again: in LIFO order the release order permuted them, and an
   * INRFuse step created 3 to 54 new bind groups every step.
   */
  afterSubmit(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    this.makeFree(pending);
  }

  private makeFree(buffers: GPUBuffer[]): void {
    const touched = new Set<GPUBuffer[]>();
    for (const buffer of buffers) {
      if (this.pins.has(buffer)) {
        this.parked.add(buffer);
        continue;
      }
      const size = this.sizeOf(buffer);
      this.freeBytes += size;
      this.freeSince.add(buffer);
      const list = this.free.get(size) ?? [];
      list.push(buffer);
      this.free.set(size, list);
      touched.add(list);
    }
    const number = (b: GPUBuffer) => this.owned.get(b)?.number ?? 0;
    for (const list of touched) list.sort((a, b) => number(b) - number(a));
    // Over the limit, the buffers free the longest go first (an earlier workload's sizes), not
    // the ones just released: a step releases its working set each time and wants it back.
    const limit = Math.max(this.capBytes, this.peakHeldBytes);
    for (const buffer of this.freeSince) {
      if (this.freeBytes <= limit) break;
      this.destroyFree(buffer);
    }
  }

  private destroyFree(buffer: GPUBuffer): void {
    const size = this.sizeOf(buffer);
    const list = this.free.get(size) ?? [];
    const at = list.indexOf(buffer);
    if (at >= 0) list.splice(at, 1);
    this.freeSince.delete(buffer);
    this.freeBytes -= size;
    this.stats.allocatedBuffers--;
    this.stats.allocatedBytes -= size;
    buffer.destroy();
  }

  /** Destroy every free buffer (live ones stay with their tensors). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.allocatedBuffers--;
        this.stats.allocatedBytes -= this.sizeOf(b);
        b.destroy();
      }
    }
    this.free.clear();
    this.freeSince.clear();
    this.freeBytes = 0;
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }
}

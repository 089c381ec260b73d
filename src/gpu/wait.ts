/**
 * Waiting on the GPU without burning a core.
 *
 * While any of its promises (mapAsync, onSubmittedWorkDone) is pending, dawn.node polls for
 * completion by re-arming the global `setImmediate` as fast as the event loop turns: one CPU core
 * at 100%. On a real GPU that only wastes power; on SwiftShader, where the "GPU" is the other CPU
 * core(s), it takes compute away from the kernels themselves (peers measured 1.4-2.2x slower).
 *
 * dawn.node looks `setImmediate` up on the global object each time it re-arms, so while one of
 * our waits is pending we swap in a back-off: the first few polls stay immediate (short waits
 * keep their latency), later ones sleep 1 ms (Node's timer granularity). The original is put
 * back as soon as no wait is pending. Browsers have no setImmediate and need none of this.
 */
type Immediate = typeof setImmediate;

export type WaitStrategy = 'backoff' | 'spin';

const SPIN_POLLS = 16;
let activeWaits = 0;
let original: Immediate | undefined;
let pollsThisWait = 0;

function backoffImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]): NodeJS.Immediate {
  pollsThisWait++;
  if (pollsThisWait <= SPIN_POLLS && original) return original(callback, ...args);
  const timer = setTimeout(callback, 1, ...args);
  // Callers may hold on to the handle (never to clear it, in dawn.node); keep the type honest.
  return timer as unknown as NodeJS.Immediate;
}

const hasImmediate = typeof globalThis.setImmediate === 'function';

/** Await `promise` (a dawn.node GPU promise) with the given polling strategy. */
export async function waitForGpu<T>(promise: Promise<T>, strategy: WaitStrategy = 'backoff'): Promise<T> {
  if (!hasImmediate || strategy === 'spin') return promise;
  if (activeWaits++ === 0) {
    original = globalThis.setImmediate;
    pollsThisWait = 0;
    globalThis.setImmediate = backoffImmediate as unknown as Immediate;
  }
  try {
    return await promise;
  } finally {
    if (--activeWaits === 0 && original) {
      globalThis.setImmediate = original;
      original = undefined;
    }
  }
}

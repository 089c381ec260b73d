/**
 * Deterministic release of GPU memory. Every tensor made inside `tidy(fn)` is disposed when fn
 * returns, except the tensors fn returns and those marked with `keep()`. No GC, no refcounting
 * for users to get wrong. fn must be synchronous: ops only record GPU work, so a training step
 * is synchronous and only reads are async (an async fn would let tensors escape its scope).
 */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];

export function track(t: Disposable): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Takes a tensor out of every enclosing scope: the caller now owns it. */
export function keep<T extends Disposable>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}

type Kept = Disposable | null | undefined | void | number | readonly (Disposable | null)[] | Record<string, Disposable>;

function collect(result: Kept, into: Set<Disposable>): void {
  if (!result || typeof result === 'number') return;
  if ('dispose' in result && typeof result.dispose === 'function') into.add(result as Disposable);
  else for (const v of Object.values(result)) collect(v as Kept, into);
}

export function tidy<T extends Kept>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy() takes a synchronous function (await reads outside it)');
  } catch (err) {
    // Nothing made inside survives a failed step.
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw err;
  } finally {
    scopes.pop();
  }
  const kept = new Set<Disposable>();
  collect(result, kept);
  for (const t of scope) {
    if (kept.has(t)) scopes[scopes.length - 1]?.add(t); // survives into the parent scope
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}

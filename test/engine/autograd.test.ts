// The tape: accumulation, zeroGrad, noGrad, shared subgraphs, which tensors get gradients, and
// the errors for misuse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, init, isGradEnabled, liveTensorCount, noGrad, ops, shutdown, tensor, tidy, zeroGrad, type Tensor } from '../../src/index.ts';

const rt = await init({ quiet: true });
test.after(() => shutdown());

async function values(t: Tensor | null): Promise<number[]> {
  assert.ok(t, 'expected a gradient, got null');
  return Array.from(await t.read());
}

function near(actual: number[], expected: number[], tol = 1e-5, label = ''): void {
  assert.is(actual.length, expected.length, `${label} length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${label}[${i}]: got ${a}, expected ${expected[i]}`));
}

test('gradients accumulate across two backward calls (the grad doubles), and zeroGrad resets them', async () => {
  const x = tensor([1, -2, 3], [3], { requiresGrad: true });
  const pass = (): void => tidy(() => x.square().mul(0.5).sum().backward()); // d/dx = x
  pass();
  near(await values(x.grad), [1, -2, 3], 1e-6, 'first');
  pass();
  near(await values(x.grad), [2, -4, 6], 1e-6, 'accumulated');
  zeroGrad([x]);
  assert.is(x.grad, null);
  pass();
  near(await values(x.grad), [1, -2, 3], 1e-6, 'after zeroGrad');
  x.dispose();
});

test('noGrad records no tape: no node, no requiresGrad, and backward through it is an error', () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  const y = noGrad(() => {
    assert.is(isGradEnabled(), false);
    return x.mul(2).sin();
  });
  assert.is(isGradEnabled(), true, 'noGrad restores grad mode');
  assert.is(y.requiresGrad, false);
  assert.is(y.node, null);
  assert.throws(() => y.sum().backward(), /does not require grad/);
  // Grad mode comes back even when fn throws.
  assert.throws(() => noGrad(() => { throw new Error('inside'); }), /inside/);
  assert.is(isGradEnabled(), true);
  y.dispose();
  x.dispose();
});

test('a tensor used twice in one op (x·x) gets both contributions: 2x', async () => {
  const x = tensor([0.5, -1.5, 2], [3], { requiresGrad: true });
  tidy(() => ops.mul(x, x).sum().backward());
  near(await values(x.grad), [1, -3, 4]);
  x.dispose();
});

test('a diamond (x -> a -> {sin a, a²} -> sum) sums both branches once', async () => {
  // a = 2x, y = sin(a) + a², dy/dx = 2·(cos(a) + 2a)
  const xs = [0.3, -0.7, 1.1];
  const x = tensor(xs, [3], { requiresGrad: true });
  tidy(() => {
    const a = x.mul(2);
    return a.sin().add(a.square()).sum().backward();
  });
  near(await values(x.grad), xs.map((v) => 2 * (Math.cos(2 * v) + 4 * v)), 5e-4);
  x.dispose();
});

test('a shared subgraph is walked once per edge: 20 doublings (2^20 paths) back in bounded work', async () => {
  // a_{k+1} = a_k + a_k, so y = 2^20·x; a walk per path would take 2^20 rule calls.
  const x = tensor([0.5, -1], [2], { requiresGrad: true });
  const dispatches = rt.counters.dispatches;
  tidy(() => {
    let a = x.mul(1);
    for (let k = 0; k < 20; k++) a = a.add(a);
    a.sum().backward();
  });
  near(await values(x.grad), [2 ** 20, 2 ** 20]);
  const used = rt.counters.dispatches - dispatches;
  assert.ok(used < 200, `${used} dispatches for 20 levels`);
  x.dispose();
});

test('inputs without requiresGrad get no gradient (and neither do intermediates)', async () => {
  const w = tensor([1, 2, 3], [3], { requiresGrad: true });
  const c = tensor([4, 5, 6], [3]);
  let mid: Tensor | null = null;
  tidy(() => {
    mid = w.mul(c);
    mid.sum().backward();
  });
  near(await values(w.grad), [4, 5, 6]);
  assert.is(c.grad, null);
  assert.is(c.requiresGrad, false);
  assert.is((mid as Tensor | null)?.grad ?? null, null);
  w.dispose();
  c.dispose();
});

test('gradients carry no tape of their own (no create_graph)', async () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  tidy(() => x.square().sum().backward());
  assert.ok(x.grad);
  assert.is(x.grad.requiresGrad, false);
  assert.is(x.grad.node, null);
  x.dispose();
});

test('backward with an explicit gradient: vector-Jacobian product, caller keeps its tensor', async () => {
  const x = tensor([1, 2, 3], [3], { requiresGrad: true });
  const r = tensor([0.5, -1, 2], [3]);
  tidy(() => backward(x.mul(3), r));
  near(await values(x.grad), [1.5, -3, 6]);
  // backward must not have disposed (or taken) the caller's gradient tensor
  assert.is(r.isDisposed, false);
  near(Array.from(await r.read()), [0.5, -1, 2]);
  assert.throws(() => tidy(() => backward(x.mul(3), tensor([1, 2], [2]))), /does not match/);
  x.dispose();
  r.dispose();
});

test('a scalar loss is seeded with the runtime\'s constant 1: no pass of its own, and the 1 survives every use', async () => {
  const x = tensor([1, -2, 3], [3], { requiresGrad: true });
  const passes = (gradient?: Tensor): number => tidy(() => {
    const loss = x.square().sum();
    const before = rt.counters.dispatches;
    backward(loss, gradient); // the seed reaches square's rule: dx = 2x·1
    return rt.counters.dispatches - before;
  });
  const one = tensor([1], []);
  const given = passes(one);
  zeroGrad([x]);
  assert.is(passes(), given, 'passes with the default seed, against a seed made beforehand');
  near(await values(x.grad), [2, -4, 6], 1e-6, 'dx');
  // a leaf root takes the seed as its .grad; accumulating into it must leave the constant alone
  const s = tensor([5], [], { requiresGrad: true });
  backward(s);
  backward(s);
  near(await values(s.grad), [2], 0, 'leaf root, twice');
  s.grad?.dispose();
  s.grad = null;
  backward(s);
  near(await values(s.grad), [1], 0, 'the seed after the accumulations');
  for (const t of [x, s, one]) t.dispose();
});

test('backward on a tensor that does not require grad is an error that says why', () => {
  const x = tensor([1, 2], [2]);
  const y = x.mul(2).sum();
  assert.throws(() => y.backward(), /does not require grad/);
  y.dispose();
  x.dispose();
});

test('a disposed tensor: using it, reading it, or backward through it is a "used after dispose" error', async () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  x.dispose();
  assert.is(x.isDisposed, true);
  assert.throws(() => x.add(1), /used after dispose/);
  try {
    await x.read();
    assert.unreachable('read() of a disposed tensor resolved');
  } catch (err) {
    assert.match((err as Error).message, /used after dispose/);
  }
  // An intermediate the tape needs, disposed before backward.
  const w = tensor([1, 2], [2], { requiresGrad: true });
  const h = w.sin();
  const y = h.square().sum();
  h.dispose();
  assert.throws(() => y.backward(), /used after dispose/);
  w.dispose();
  y.dispose();
});

test('tidy: keeps the returned tensors (and nested results), disposes the rest', () => {
  const before = liveTensorCount();
  const { a, pair } = tidy(() => {
    const t = tensor([1, 2], [2]);
    t.mul(2); // dropped
    return { a: t.add(1), pair: t.sub(1) };
  });
  assert.is(a.isDisposed, false);
  assert.is(pair.isDisposed, false);
  assert.is(liveTensorCount(), before + 2);
  a.dispose();
  pair.dispose();
  assert.is(liveTensorCount(), before);
});

// Regression (was src/tensor/autograd.ts:100, `t.node = null`): after a backward the root and every
// intermediate look like leaves, so a second backward from the same loss silently changes
// nothing in the parameters (their .grad is not doubled, no error) and gives the loss a .grad.
// PyTorch raises "Trying to backward through the graph a second time".
test('a second backward through a freed graph is an error, not a silent no-op', async () => {
  const x = tensor([1, 2, 3], [3], { requiresGrad: true });
  let threw = false;
  tidy(() => {
    const loss = x.mul(3).sum();
    loss.backward();
    try {
      loss.backward();
    } catch {
      threw = true;
    }
  });
  // Either is sound: an error (PyTorch), or a second accumulation (retain_graph).
  if (!threw) {
    const g = await values(x.grad);
    assert.equal(g, [6, 6, 6], `second backward() on the same loss neither threw nor accumulated: x.grad is [${g}]`);
  }
  x.dispose();
});

test.run();

// Grids past maxComputeWorkgroupsPerDimension (65535) must fold into 2-D and still cover every
// element exactly once: the elements beyond the first row of workgroups are the ones at risk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, tidy, type Tensor } from '../../src/index.ts';
import { reductionForm } from '../../src/ops/reduce.ts';

const rt = await init({ quiet: true });
test.after(() => shutdown());

const MAX_GROUPS = rt.limits.maxComputeWorkgroupsPerDimension;
// 65535·256 + 1001 elements: 65540 workgroups of 256, one more than a 1-D grid allows.
const N = MAX_GROUPS * 256 + 1001;

/** The first mismatch of got[i] against want(i), or null; every element is checked. */
function firstMismatch(got: Float32Array, want: (i: number) => number): string | null {
  for (let i = 0; i < got.length; i++) {
    const w = Math.fround(want(i));
    if (got[i] !== w) return `element ${i} of ${got.length}: got ${got[i]}, expected ${w}`;
  }
  return null;
}

/** Values that identify their index (exactly representable in float32). */
const valueAt = (i: number): number => (i % 4093) - 2000;

test(`the grid of ${N} elements needs 2-D: grid1d folds it`, () => {
  const [x, y] = rt.grid1d(N, 256);
  assert.ok(x <= MAX_GROUPS && y > 1, `grid1d(${N}, 256) = [${x}, ${y}]`);
  assert.ok(x * y * 256 >= N, 'the folded grid covers every element');
});

test(`element-wise unary and broadcasting binary ops on ${N} (> 65535·256) elements: every element right`, async () => {
  const data = new Float32Array(N);
  for (let i = 0; i < N; i++) data[i] = valueAt(i);
  const x = tensor(data, [N]);
  const bias = tensor([0.5], [1]);
  const [scaled, shifted] = tidy(() => [x.mul(2).add(1), ops.add(x, bias)]);
  const got = await scaled.read();
  assert.is(firstMismatch(got, (i) => 2 * valueAt(i) + 1), null);
  // The ones the folded second row of workgroups computes, spelled out.
  for (const i of [0, 1, MAX_GROUPS * 256 - 1, MAX_GROUPS * 256, N - 2, N - 1]) assert.is(got[i], 2 * valueAt(i) + 1, `element ${i}`);
  assert.is(firstMismatch(await shifted.read(), (i) => valueAt(i) + 0.5), null);
  for (const t of [x, bias, scaled, shifted]) t.dispose();
});

// One workgroup per output: 65537 outputs fold to 2 rows of 32769 workgroups, the last of which
// has no output. (Slow on SwiftShader, ~0.5 ms per output: one test of this size only.)
const R = MAX_GROUPS + 2;

test(`a reduction with ${R} (> 65535) outputs, a workgroup each, and its gradient`, async () => {
  // sum over the last axis of [R, 3], in the form that takes a workgroup per output (flat_group),
  // which SwiftShader's tuning would not choose for rows of 3
  const data = new Float32Array(R * 3);
  for (let r = 0; r < R; r++) for (let c = 0; c < 3; c++) data[r * 3 + c] = valueAt(r) + c; // row sum 3·v + 3
  const x = tensor(data, [R, 3], { requiresGrad: true });
  reductionForm.force = 'workgroup';
  let sums: Tensor;
  try {
    sums = tidy(() => {
      const s = x.sum({ axes: [1] });
      s.backward(tensor(Float32Array.from({ length: R }, (_, r) => r % 7), [R]));
      return s;
    });
  } finally {
    reductionForm.force = null;
  }
  assert.equal([...sums.shape], [R]);
  const got = await sums.read();
  assert.is(firstMismatch(got, (r) => 3 * valueAt(r) + 3), null);
  for (const r of [0, 32768, 32769, R - 1]) assert.is(got[r], 3 * valueAt(r) + 3, `output ${r}`);
  assert.ok(x.grad);
  assert.is(firstMismatch(await x.grad.read(), (i) => Math.floor(i / 3) % 7), null);
  sums.dispose();
  x.dispose();
});

test.run();

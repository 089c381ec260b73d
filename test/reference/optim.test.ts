import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adamStep, lerp, sgdStep } from '../../src/reference/optim.ts';
import { close } from './helpers.ts';

const f = (...v: number[]) => Float64Array.from(v);

test('Adam: one step (step 3, weight decay) worked out by hand', () => {
  // lr 0.01, β1 0.9, β2 0.999, eps 1e-8, weightDecay 0.5, step 3.
  //   bc1 = 1 − 0.9³ = 0.271            stepSize = 0.01 / 0.271 = 0.036900369003690037
  //   bc2 = 1 − 0.999³ = 0.002997001    sqrt(bc2) = 0.054744871905960288
  // Element 0: param 2, grad 0.4, m 0.1, v 0.01
  //   g = 0.4 + 0.5·2 = 1.4
  //   m = 0.9·0.1 + 0.1·1.4 = 0.23
  //   v = 0.999·0.01 + 0.001·1.96 = 0.01195
  //   denom = sqrt(0.01195) / 0.054744871905960288 + 1e-8
  //         = 0.10931605554537723 / 0.054744871905960288 + 1e-8 = 1.9968273244041381
  //   param = 2 − 0.036900369003690037·0.23 / 1.9968273244041381 = 2 − 0.0042502848228908783
  //         = 1.9957497151771091
  // Element 1: param −1, grad −0.2, m 0, v 0
  //   g = −0.2 + 0.5·(−1) = −0.7;  m = 0.1·(−0.7) = −0.07;  v = 0.001·0.49 = 0.00049
  //   denom = 0.022135943621178655 / 0.054744871905960288 + 1e-8 = 0.40434735524912878
  //   param = −1 + 0.036900369003690037·0.07 / 0.40434735524912878 = −1 + 0.0063881358359988137
  //         = −0.99361186416400119
  const r = adamStep(f(2, -1), f(0.4, -0.2), f(0.1, 0), f(0.01, 0), 3, { lr: 0.01, weightDecay: 0.5 });
  close(r.m, [0.23, -0.07], 1e-15);
  close(r.v, [0.01195, 0.00049], 1e-15);
  close(r.param, [1.9957497151771091, -0.99361186416400119], 1e-14);
});

test('Adam: the first step moves each parameter by about lr against its gradient', () => {
  // m̂ = g and v̂ = g² at step 1, so the update is lr·g/(|g| + eps).
  const r = adamStep(f(1, -2, 0.5), f(0.5, -0.1, 3), f(0, 0, 0), f(0, 0, 0), 1, { lr: 0.1 });
  close(r.param, [1 - 0.1 * (0.5 / (0.5 + 1e-8)), -2 + 0.1 * (0.1 / (0.1 + 1e-8)), 0.5 - 0.1 * (3 / (3 + 1e-8))], 1e-15);
  close(r.m, [0.05, -0.01, 0.3], 1e-16);
  close(r.v, [0.00025, 0.00001, 0.009], 1e-16);
});

test('Adam: inputs are not modified; bad step and lengths are errors', () => {
  const p = f(1, 2);
  adamStep(p, f(1, 1), f(0, 0), f(0, 0), 1, { lr: 1 });
  close(p, [1, 2], 0);
  assert.throws(() => adamStep(p, f(1, 1), f(0, 0), f(0, 0), 0, { lr: 1 }), /step must be/);
  assert.throws(() => adamStep(p, f(1), f(0, 0), f(0, 0), 1, { lr: 1 }), /differ in length/);
});

test('lerp uses the form that is exact at the nearer end, like torch.lerp', () => {
  close([lerp(2, 4, 0.25), lerp(2, 4, 0.75), lerp(2, 4, 0), lerp(2, 4, 1)], [2.5, 3.5, 2, 4], 0);
});

test('SGD with momentum and weight decay, two steps by hand', () => {
  const opts = { lr: 0.1, momentum: 0.9, weightDecay: 0.1 };
  // Step 1: d = g + 0.1·p = [0.5 + 0.1, 0.25 − 0.2] = [0.6, 0.05]; buf = d;
  //         p = [1 − 0.06, −2 − 0.005] = [0.94, −2.005]
  const s1 = sgdStep(f(1, -2), f(0.5, 0.25), null, opts);
  close(s1.param, [0.94, -2.005], 1e-15);
  close(s1.buf ?? [], [0.6, 0.05], 1e-15);
  // Step 2: d = [0.5 + 0.094, 0.25 − 0.2005] = [0.594, 0.0495];
  //         buf = 0.9·[0.6, 0.05] + d = [1.134, 0.0945];  p = [0.94 − 0.1134, −2.005 − 0.00945]
  const s2 = sgdStep(s1.param, f(0.5, 0.25), s1.buf, opts);
  close(s2.buf ?? [], [1.134, 0.0945], 1e-15);
  close(s2.param, [0.8266, -2.01445], 1e-15);
});

test('SGD: plain, nesterov, dampening', () => {
  const plain = sgdStep(f(1), f(2), null, { lr: 0.5 });
  close(plain.param, [0]);
  assert.is(plain.buf, null);
  // Nesterov, first step: buf = g = 2, d = g + 0.9·buf = 3.8, p = 1 − 0.1·3.8
  close(sgdStep(f(1), f(2), null, { lr: 0.1, momentum: 0.9, nesterov: true }).param, [0.62], 1e-15);
  // Dampening only applies after the first step: buf = 0.9·2 + (1 − 0.5)·2 = 2.8
  close(sgdStep(f(1), f(2), f(2), { lr: 0.1, momentum: 0.9, dampening: 0.5 }).buf ?? [], [2.8], 1e-15);
});

test.run();

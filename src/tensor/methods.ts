/**
 * The chainable tensor API (`x.matmul(w, { transB: true }).sin().mean()`), wired onto Tensor's
 * prototype so that tensor.ts stays free of op imports. Each method is the function of the
 * same name in src/ops/.
 */
import * as binary from '../ops/binary.ts';
import * as loss from '../ops/loss.ts';
import { matmul, type MatmulOptions } from '../ops/matmul.ts';
import * as reduce from '../ops/reduce.ts';
import * as shapeOps from '../ops/shape.ts';
import * as unary from '../ops/unary.ts';
import { backward } from './autograd.ts';
import { Tensor } from './tensor.ts';

type Operand = Tensor | number;

declare module './tensor.ts' {
  interface Tensor {
    add(other: Operand): Tensor;
    sub(other: Operand): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    prelu(slope: Tensor): Tensor;
    matmul(other: Tensor, options?: MatmulOptions): Tensor;
    neg(): Tensor; sin(): Tensor; cos(): Tensor; exp(): Tensor; log(): Tensor; sqrt(): Tensor;
    abs(): Tensor; sign(): Tensor; tanh(): Tensor; sigmoid(): Tensor; relu(): Tensor; square(): Tensor;
    reciprocal(): Tensor;
    pow(p: number): Tensor;
    clamp(lo: number, hi: number): Tensor;
    sum(options?: reduce.ReduceOptions): Tensor;
    mean(options?: reduce.ReduceOptions): Tensor;
    max(options?: reduce.ReduceOptions): Tensor;
    min(options?: reduce.ReduceOptions): Tensor;
    reshape(shape: Shape): Tensor;
    permute(perm: readonly number[]): Tensor;
    /** swaps the last two axes */
    readonly T: Tensor;
    slice(starts: readonly number[], ends: readonly number[]): Tensor;
    mse(target: Tensor): Tensor;
    l1(target: Tensor): Tensor;
    /** reverse-mode autodiff from this tensor (a scalar loss, unless `gradient` is given) */
    backward(gradient?: Tensor): void;
  }
}

const proto = Tensor.prototype;
proto.add = function (o) { return typeof o === 'number' ? unary.addScalar(this, o) : binary.add(this, o); };
proto.sub = function (o) { return typeof o === 'number' ? unary.addScalar(this, -o) : binary.sub(this, o); };
proto.mul = function (o) { return typeof o === 'number' ? unary.mulScalar(this, o) : binary.mul(this, o); };
proto.div = function (o) { return typeof o === 'number' ? unary.mulScalar(this, 1 / o) : binary.div(this, o); };
proto.maximum = function (o) { return binary.maximum(this, o); };
proto.minimum = function (o) { return binary.minimum(this, o); };
proto.prelu = function (s) { return binary.prelu(this, s); };
proto.matmul = function (o, options) { return matmul(this, o, options); };
for (const name of ['neg', 'sin', 'cos', 'exp', 'log', 'sqrt', 'abs', 'sign', 'tanh', 'sigmoid', 'relu', 'square', 'reciprocal'] as const) {
  proto[name] = function () { return unary[name](this); };
}
proto.pow = function (p) { return unary.powScalar(this, p); };
proto.clamp = function (lo, hi) { return unary.clamp(this, lo, hi); };
proto.sum = function (options) { return reduce.sum(this, options); };
proto.mean = function (options) { return reduce.mean(this, options); };
proto.max = function (options) { return reduce.max(this, options); };
proto.min = function (options) { return reduce.min(this, options); };
proto.reshape = function (shape) { return shapeOps.reshape(this, shape); };
proto.permute = function (perm) { return shapeOps.permute(this, perm); };
Object.defineProperty(proto, 'T', { get(this: Tensor) { return shapeOps.transpose(this); } });
proto.slice = function (starts, ends) { return shapeOps.slice(this, starts, ends); };
proto.mse = function (t) { return loss.mse(this, t); };
proto.l1 = function (t) { return loss.l1(this, t); };
proto.backward = function (gradient) { backward(this, gradient); };

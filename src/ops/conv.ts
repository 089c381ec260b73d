/**
 * Convolutions, the PyTorch way: conv2d (Conv2d: cross-correlation, zero padding, stride,
 * groups) and convTranspose2d (ConvTranspose2d), NCHW. Three kernels (and the matmul) serve both and their
 * gradients, because each is the other's adjoint:
 *   conv2d.y            = shaders/conv2d.wgsl
 *   conv2d.dx           = conv_transpose2d.wgsl on dy with the same weights, output size = x's
 *   conv2d.dw           = im2col.wgsl, then a matmul of dy with the unfolded x
 *   convTranspose2d.y   = conv_transpose2d.wgsl
 *   convTranspose2d.dx  = conv2d.wgsl on dy with the same weights
 *   convTranspose2d.dw  = the same with x and dy swapped
 *   db                  = Σ dy over N, H, W
 * Other border rules (reflect, replicate) are a separate pad2d (src/ops/pad.ts) before a
 * convolution with padding 0, as in PyTorch models.
 * Float64 reference: src/reference/conv.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { Tensor, shapeString } from '../tensor/tensor.ts';
import { sum } from './reduce.ts';
import { reshape, slice } from './shape.ts';
import { PIXELS, conv2dSnippets, convTransposeSnippets, type ConvShape, type WeightTaps } from './conv_codegen.ts';
import { add } from './binary.ts';
import { matmul } from './matmul.ts';

export interface Conv2dOptions {
  stride?: number;
  /** zero padding on every side */
  padding?: number;
  groups?: number;
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** extra rows/columns at the bottom/right (PyTorch output_padding), < stride */
  outputPadding?: number;
}

/** Everything the three kernels need, in the direction of a convolution x → y. */
interface Geometry {
  N: number; Cin: number; H: number; W: number;
  Cout: number; Ho: number; Wo: number; KH: number; KW: number;
  stride: number; pad: number; groups: number;
}

const kernelCache = new Map<string, Kernel>();
function cached(key: string, make: () => Kernel): Kernel {
  let k = kernelCache.get(key);
  if (!k) kernelCache.set(key, (k = make()));
  return k;
}

/**
 * Output pixels per invocation of the direct kernel (conv2d.wgsl). With 8 output channels, 8
 * pixels (two vec4 accumulators per channel, each weight load feeding both) beat 4 by 1.3× on the
 * peers' CNN and DIDFuse on SwiftShader; 16 pixels and 16 channels were no better (bench/RESULTS.md).
 * Strides above 2 keep 4: SwiftShader never finished compiling the 8-pixel 5×5 stride-3 kernel
 * (26 input columns per row of taps), growing past 5 GB.
 */
const directPixels = (stride: number): number => (stride <= 2 ? 8 : 4);

/** Output channels per invocation: 8 where the group allows (measured best on SwiftShader), else fewer. */
function outputChannelBlock(channelsPerGroup: number, preferred = 8): number {
  for (let b = preferred; b > 1; b /= 2) if (channelsPerGroup % b === 0) return b;
  return 1;
}

/**
 * Where conv2d.wgsl's output grid goes in y, and its (signed) padding: all of y with the
 * geometry's padding, unless one phase of a strided transposed convolution (phasedTransposedConv).
 */
interface Placement {
  padY: number; padX: number;
  outStride: number; outY0: number; outX0: number; outH: number; outW: number;
}

const wholeOutput = (g: Geometry): Placement => ({ padY: g.pad, padX: g.pad, outStride: 1, outY0: 0, outX0: 0, outH: g.Ho, outW: g.Wo });

const geometryParams = (g: Geometry, hasBias: boolean, at: Placement = wholeOutput(g)) => new Params()
  .u32(g.N).u32(g.Cin).u32(g.H).u32(g.W)
  .u32(g.Cout).u32(g.Ho).u32(g.Wo).u32(g.KH)
  .u32(g.KW).u32(g.stride).u32(g.pad).u32(g.groups)
  .u32(hasBias ? 1 : 0).i32(at.padY).i32(at.padX).u32(at.outStride)
  .u32(at.outY0).u32(at.outX0).u32(at.outH).u32(at.outW);

/**
 * How a convolution-shaped map x → y is computed:
 *   direct   conv2d.wgsl, w [Cout, Cin/groups, KH, KW]
 *   adjoint  conv2d.wgsl reading w [Cin, Cout/groups, KH, KW] flipped: a stride-1 transposed
 *            convolution with padding K − 1 − p (g.pad is already that)
 *   gather   conv_transpose2d.wgsl: a transposed convolution of any stride, w [Cin, Cout/groups, KH, KW]
 */
type ConvKind = 'direct' | 'adjoint' | 'gather';

/** The conv2d.wgsl or conv_transpose2d.wgsl pipeline for one kernel shape and weight reading. */
function convKernel(file: 'conv2d' | 'conv_transpose2d', shape: ConvShape, weights: WeightTaps): Kernel {
  const variant = weights.kind === 'direct' ? '' : weights.kind === 'phase' ? `.phase${weights.first.join('')}of${weights.kernel.join('x')}` : `.${weights.kind}`;
  const name = `${file}${variant}.k${shape.KH}x${shape.KW}s${shape.stride}.oc${shape.block}.px${shape.pixels}`;
  return cached(name, () => ({
    name, file: `${file}.wgsl`,
    snippets: file === 'conv_transpose2d' ? convTransposeSnippets(shape) : conv2dSnippets(shape, weights),
    inputs: 3, outputs: 1, uniform: true,
  }));
}

/** conv2d.wgsl's grid: 16×4 invocations per workgroup, each `pixels` outputs of a row × `block` channels. */
const directGrid = (g: Geometry, { pixels, block }: ConvShape): [number, number, number] =>
  [Math.ceil(Math.ceil(g.Wo / pixels) / 16), Math.ceil(g.Ho / 4), g.N * (g.Cout / block)];

/** Runs one convolution kernel for geometry g: Cin/H/W describe x, Cout/Ho/Wo the output. */
function dispatchConv(kind: ConvKind, x: Tensor, w: Tensor, b: Tensor | null, g: Geometry, label: string): Tensor {
  const y = Tensor.empty([g.N, g.Cout, g.Ho, g.Wo], label);
  if (y.size === 0) return y;
  const shape = { KH: g.KH, KW: g.KW, stride: g.stride, block: outputChannelBlock(g.Cout / g.groups), pixels: kind === 'gather' ? PIXELS : directPixels(g.stride) };
  const kernel = kind === 'gather' ? convKernel('conv_transpose2d', shape, { kind: 'direct' }) : convKernel('conv2d', shape, { kind });
  // x stands in for a missing bias: the binding must hold some buffer, has_bias = 0 ignores it
  runtime().dispatch(kernel, {
    inputs: [x, w, b ?? x], outputs: [y], params: geometryParams(g, b !== null),
    // gather: each invocation covers PIXELS outputs of one phase, s phases per 4·s columns
    workgroups: kind === 'gather'
      ? [Math.ceil(g.stride * Math.ceil(g.Wo / (PIXELS * g.stride)) / 16), Math.ceil(g.Ho / 4), g.N * (g.Cout / shape.block)]
      : directGrid(g, shape),
  });
  return y;
}

/**
 * A stride-s transposed convolution as s² stride-1 convolutions (sub-pixel form): output rows
 * oy ≡ ry and columns ox ≡ rx (mod s) only receive taps ky ≡ (ry + p), kx ≡ (rx + p) (mod s),
 * and for them y[ry + s·my, rx + s·mx] = Σ x[my + by − v, mx + bx − u]·w[·, ·, ky0 + s·v, kx0 + s·u],
 * b = (r + p − k0)/s: a plain convolution of x with that phase's flipped sub-kernel and padding
 * T − 1 − b (T its taps), written to every s-th pixel. Each phase runs the register-blocked
 * direct kernel; the gather kernel's per-pixel tap loops were 6× slower on SwiftShader.
 * Needs s ≤ KH, KW (every phase has a tap).
 */
function phasedTransposedConv(x: Tensor, w: Tensor, b: Tensor | null, g: Geometry, label: string): Tensor {
  const y = Tensor.empty([g.N, g.Cout, g.Ho, g.Wo], label);
  if (y.size === 0) return y;
  const s = g.stride;
  const block = outputChannelBlock(g.Cout / g.groups);
  for (let ry = 0; ry < Math.min(s, g.Ho); ry++) {
    for (let rx = 0; rx < Math.min(s, g.Wo); rx++) {
      const [ky0, kx0] = [(ry + g.pad) % s, (rx + g.pad) % s];
      const [KH, KW] = [Math.ceil((g.KH - ky0) / s), Math.ceil((g.KW - kx0) / s)];
      const [by, bx] = [(ry + g.pad - ky0) / s, (rx + g.pad - kx0) / s];
      const phase: Geometry = { ...g, KH, KW, stride: 1, pad: 0, Ho: Math.ceil((g.Ho - ry) / s), Wo: Math.ceil((g.Wo - rx) / s) };
      const shape: ConvShape = { KH, KW, stride: 1, block, pixels: directPixels(1) };
      const kernel = convKernel('conv2d', shape, { kind: 'phase', stride: s, first: [ky0, kx0], kernel: [g.KH, g.KW] });
      const at: Placement = { padY: KH - 1 - by, padX: KW - 1 - bx, outStride: s, outY0: ry, outX0: rx, outH: g.Ho, outW: g.Wo };
      runtime().dispatch(kernel, {
        inputs: [x, w, b ?? x], outputs: [y], params: geometryParams(phase, b !== null, at), workgroups: directGrid(phase, shape),
      });
    }
  }
  return y;
}

/**
 * A transposed convolution in geometry g (x [N, Cin, H, W] → [N, Cout, Ho, Wo], w [Cin,
 * Cout/groups, KH, KW]): stride 1 with a square kernel and p ≤ K − 1 runs as the adjoint
 * convolution, a stride no larger than the kernel as its s² phases, anything else in gather form.
 */
function transposedConv(x: Tensor, w: Tensor, b: Tensor | null, g: Geometry, label: string): Tensor {
  if (g.stride === 1 && g.KH === g.KW && g.pad <= g.KH - 1) {
    return dispatchConv('adjoint', x, w, b, { ...g, pad: g.KH - 1 - g.pad }, label);
  }
  if (g.stride <= g.KH && g.stride <= g.KW) return phasedTransposedConv(x, w, b, g, label);
  return dispatchConv('gather', x, w, b, g, label);
}

const IM2COL: Kernel = { name: 'im2col', file: 'im2col.wgsl', inputs: 1, outputs: 1, uniform: true };

/** cols [N, C·KH·KW, Ho·Wo] of x [N, C, H, W] for geometry g (see shaders/im2col.wgsl). */
function im2col(x: Tensor, g: Geometry): Tensor {
  const [N, C, H, W] = x.shape;
  const cols = Tensor.empty([N, C * g.KH * g.KW, g.Ho * g.Wo], 'conv.im2col');
  const rt = runtime();
  const params = new Params().u32(N).u32(C).u32(H).u32(W).u32(g.Ho).u32(g.Wo).u32(g.KH).u32(g.KW).u32(g.stride).u32(g.pad);
  const runs = N * C * g.KH * g.KW * g.Ho * Math.ceil(g.Wo / 8); // see im2col.wgsl
  if (cols.size) rt.dispatch(IM2COL, { inputs: [x], outputs: [cols], params, workgroups: rt.grid1d(runs, 256) });
  return cols;
}

/**
 * dw [Cout, Cin/groups, KH, KW] of a convolution x → dy with geometry g, as matmuls on the
 * unfolded input: per sample and group, dy [Cout/groups, Ho·Wo] · colsᵀ [Ho·Wo, Cin/groups·KH·KW],
 * then a sum over samples. Samples go in chunks so the unfolded input stays under the
 * binding-size limit (it is KH·KW times the input).
 */
function convWeightGrad(x: Tensor, dy: Tensor, g: Geometry): Tensor {
  const { N, groups, KH, KW } = g;
  const cinPerGroup = g.Cin / groups;
  const rowsPerGroup = cinPerGroup * KH * KW;
  const pixels = g.Ho * g.Wo;
  const bytesPerSample = g.Cin * KH * KW * pixels * 4;
  const chunk = Math.max(1, Math.min(N, Math.floor(Math.min(runtime().limits.maxStorageBufferBindingSize, 256 << 20) / bytesPerSample)));
  let total: Tensor | null = null;
  for (let first = 0; first < N; first += chunk) {
    const n = Math.min(chunk, N - first);
    const xs = n === N ? x : slice(x, [first, 0, 0, 0], [first + n, g.Cin, g.H, g.W]);
    const dys = n === N ? dy : slice(dy, [first, 0, 0, 0], [first + n, g.Cout, g.Ho, g.Wo]);
    const cols = reshape(im2col(xs, g), [n, groups, rowsPerGroup, pixels]);
    const perSample = matmul(reshape(dys, [n, groups, g.Cout / groups, pixels]), cols, { transB: true });
    const part = sum(perSample, { axes: 0 }); // [groups, Cout/groups, rowsPerGroup]
    total = total ? add(total, part) : part;
  }
  return reshape(total as Tensor, [g.Cout, cinPerGroup, KH, KW]);
}

function checkInts(op: string, values: Record<string, number>, min: number): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${op}: ${k} must be an integer ≥ ${min}, got ${v}`);
  }
}

/**
 * y = conv2d(x, w) + b. x [N, Cin, H, W], w [Cout, Cin/groups, KH, KW], b [Cout] or null
 * → y [N, Cout, ⌊(H + 2p − KH)/s⌋ + 1, ⌊(W + 2p − KW)/s⌋ + 1].
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, groups = 1 } = options;
  checkInts('conv2d', { stride, groups }, 1);
  checkInts('conv2d', { padding }, 0);
  const fits = x.rank === 4 && w.rank === 4 && x.shape[1] % groups === 0 && w.shape[0] % groups === 0 &&
    w.shape[1] * groups === x.shape[1] && (!b || (b.rank === 1 && b.shape[0] === w.shape[0]));
  if (!fits) {
    throw new Error(`conv2d: x ${shapeString(x.shape)}, w ${shapeString(w.shape)}${b ? `, b ${shapeString(b.shape)}` : ''} do not fit ` +
      `groups ${groups} (x [N, Cin, H, W], w [Cout, Cin/groups, KH, KW], b [Cout])`);
  }
  const [N, Cin, H, W] = x.shape;
  const [Cout, , KH, KW] = w.shape;
  const Ho = Math.floor((H + 2 * padding - KH) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - KW) / stride) + 1;
  if (Ho < 1 || Wo < 1) throw new Error(`conv2d: a ${KH}×${KW} kernel does not fit ${H}×${W} with padding ${padding}`);
  const g: Geometry = { N, Cin, H, W, Cout, Ho, Wo, KH, KW, stride, pad: padding, groups };
  const y = dispatchConv('direct', x, w, b, g, 'conv2d');
  return record(y, 'conv2d', b ? [x, w, b] : [x, w], (dy) => {
    // dx: the transposed convolution of dy, in the geometry dy → x
    const back: Geometry = { ...g, Cin: Cout, H: Ho, W: Wo, Cout: Cin, Ho: H, Wo: W };
    return [
      x.requiresGrad ? transposedConv(dy, w, null, back, 'conv2d.dx') : null,
      w.requiresGrad ? convWeightGrad(x, dy, g) : null,
      b?.requiresGrad ? sum(dy, { axes: [0, 2, 3] }) : null,
    ];
  });
}

/**
 * y = convTranspose2d(x, w) + b. x [N, Cin, H, W], w [Cin, Cout/groups, KH, KW], b [Cout] or null
 * → y [N, Cout, (H − 1)·s − 2p + KH + outputPadding, likewise for W].
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, groups = 1, outputPadding = 0 } = options;
  checkInts('convTranspose2d', { stride, groups }, 1);
  checkInts('convTranspose2d', { padding, outputPadding }, 0);
  if (outputPadding >= stride) throw new Error(`convTranspose2d: outputPadding ${outputPadding} must be < stride ${stride}`);
  const fits = x.rank === 4 && w.rank === 4 && x.shape[1] === w.shape[0] && w.shape[0] % groups === 0 &&
    (!b || (b.rank === 1 && b.shape[0] === w.shape[1] * groups));
  if (!fits) {
    throw new Error(`convTranspose2d: x ${shapeString(x.shape)}, w ${shapeString(w.shape)}${b ? `, b ${shapeString(b.shape)}` : ''} do not fit ` +
      `groups ${groups} (x [N, Cin, H, W], w [Cin, Cout/groups, KH, KW], b [Cout])`);
  }
  const [N, Cin, H, W] = x.shape;
  const [, coutPerGroup, KH, KW] = w.shape;
  const Cout = coutPerGroup * groups;
  const Ho = (H - 1) * stride - 2 * padding + KH + outputPadding;
  const Wo = (W - 1) * stride - 2 * padding + KW + outputPadding;
  if (Ho < 1 || Wo < 1) throw new Error(`convTranspose2d: padding ${padding} leaves no output for ${H}×${W}`);
  const g: Geometry = { N, Cin, H, W, Cout, Ho, Wo, KH, KW, stride, pad: padding, groups };
  const y = transposedConv(x, w, b, g, 'conv_transpose2d');
  return record(y, 'convTranspose2d', b ? [x, w, b] : [x, w], (dy) => {
    // Both gradients are convolutions in the geometry dy → x, whose weight layout
    // [Cout_conv = Cin, Cin_conv/groups = Cout/groups, KH, KW] is exactly w's.
    const forward: Geometry = { ...g, Cin: Cout, H: Ho, W: Wo, Cout: Cin, Ho: H, Wo: W };
    return [
      x.requiresGrad ? dispatchConv('direct', dy, w, null, forward, 'conv_transpose2d.dx') : null,
      w.requiresGrad ? convWeightGrad(dy, x, forward) : null,
      b?.requiresGrad ? sum(dy, { axes: [0, 2, 3] }) : null,
    ];
  });
}

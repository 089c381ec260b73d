/**
 * Generated bodies for the convolution kernels (shaders/conv2d.wgsl and conv_transpose2d.wgsl
 * are templates). Kernel size, stride and the register block are fixed
 * per pipeline, so every loop over taps and output channels is written out: accumulators live
 * in named registers (a function-scope array indexed in a loop ends up in memory on SwiftShader,
 * measured 10× slower), and neighbouring output pixels share the input columns they read.
 */

/** What one pipeline is specialised for. */
export interface ConvShape {
  KH: number;
  KW: number;
  stride: number;
  /** output channels per invocation */
  block: number;
  /** output pixels per invocation along a row, a multiple of 4 (a vec4 of accumulators per 4) */
  pixels: number;
}

/** output pixels per invocation of the gather kernel (conv_transpose2d.wgsl) */
export const PIXELS = 4;

const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('\n');

/**
 * Which weights conv2d.wgsl reads for tap (ky, kx) of its KH×KW kernel:
 *   direct   w [Cout, Cin/groups, KH, KW] as stored;
 *   adjoint  w as a transposed convolution stores it, [Cin_this, Cout_this/groups, KH, KW], the
 *            taps flipped: the stride-1 transposed convolution (and conv2d's input gradient)
 *            with padding K − 1 − p;
 *   phase    one phase of a stride-s transposed convolution with w [Cin_this, Cout_this/groups,
 *            kernel[0], kernel[1]]: the taps ≡ first (mod s), flipped, so the KH×KW kernel is
 *            that phase's sub-kernel (KH = ⌈(kernel[0] − first[0])/s⌉).
 */
export type WeightTaps =
  | { kind: 'direct' | 'adjoint' }
  | { kind: 'phase'; stride: number; first: [number, number]; kernel: [number, number] };

/** conv2d.wgsl body for the kernel `shape` reading weights as `weights` says. */
export function conv2dSnippets({ KH, KW, stride, block, pixels }: ConvShape, weights: WeightTaps): Record<string, string> {
  const columns = (pixels - 1) * stride + KW; // distinct input columns a row of taps reads
  const quads = pixels / 4; // vec4 accumulators per output channel
  const phase = weights.kind === 'phase' ? weights : null;
  const tap = (ky: number, kx: number): number => {
    if (phase) return (phase.first[0] + phase.stride * (KH - 1 - ky)) * phase.kernel[1] + phase.first[1] + phase.stride * (KW - 1 - kx);
    return weights.kind === 'adjoint' ? (KH - 1 - ky) * KW + (KW - 1 - kx) : ky * KW + kx;
  };
  const transposedLayout = weights.kind !== 'direct';
  const acc = (o: number, q: number) => `acc${o}_${q}`;
  const rows = lines(KH, (ky) => `
    {
      let iy = i32(oy * ${stride}u + ${ky}u) - params.pad_y;
      if (iy >= 0 && iy < i32(params.H)) {
        let row = plane + u32(iy) * params.W;
${lines(columns, (k) => `        let x${k} = load_x(row, col0 + ${k});`)}
${lines(KW * quads, (i) => {
    const [kx, q] = [i % KW, Math.floor(i / KW)];
    return `        let v${kx}_${q} = vec4<f32>(${[0, 1, 2, 3].map((j) => `x${(4 * q + j) * stride + kx}`).join(', ')});`;
  })}
${lines(block, (o) => lines(KW, (kx) => `        let w${o}_${kx} = w[w_base + ${o}u * w_channel_stride + ${tap(ky, kx)}u];\n${lines(quads, (q) => `        ${acc(o, q)} += v${kx}_${q} * w${o}_${kx};`)}`))}
      }
    }`);
  return {
    OC_BLOCK: String(block),
    PIXELS: String(pixels),
    KH: String(KH), KW: String(KW), STRIDE: String(stride),
    W_TAPS: String(phase ? phase.kernel[0] * phase.kernel[1] : KH * KW),
    W_BASE: transposedLayout
      // w[ci, co − g·cout_g, ·, ·] with this kernel's output channel co standing for the weights' second axis
      ? '((ci0 + c) * cout_g + (co0 - group * cout_g)) * taps'
      : '(co0 * cin_g + c) * taps',
    W_CHANNEL_STRIDE: transposedLayout ? 'taps' : 'cin_g * taps',
    DECLARE: lines(block * quads, (i) => `  var ${acc(Math.floor(i / quads), i % quads)} = vec4<f32>(0.0);`),
    TAPS: rows,
    STORE: lines(block * quads, (i) => `  store(n, co0 + ${Math.floor(i / quads)}u, oy, ox0 + ${4 * (i % quads)}u, ${acc(Math.floor(i / quads), i % quads)});`),
  };
}

/** conv_transpose2d.wgsl body (any stride): the tap loops stay, the channel block is unrolled. */
export function convTransposeSnippets({ block }: ConvShape): Record<string, string> {
  return {
    OC_BLOCK: String(block),
    DECLARE: lines(block, (o) => `  var acc${o} = vec4<f32>(0.0);`),
    ACCUMULATE: lines(block, (o) => `        acc${o} += xv * w[wk + ${o}u * taps];`),
    STORE: lines(block, (o) => `  store(n, co0 + ${o}u, oy, ox0, acc${o});`),
  };
}

// 2-D convolution as PyTorch's Conv2d computes it (cross-correlation, zero padding, groups),
// direct form with a register block: each invocation computes OC_BLOCK output channels × PIXELS
// neighbouring output pixels of one row (a vec4 accumulator per 4 pixels). Taps and channels are
// unrolled by src/ops/conv_codegen.ts (KH, KW, stride fixed per pipeline), so a row of taps loads
// each input column once for all its pixels and every weight load feeds PIXELS/4 vec4 FMAs.
//   y[n, co, oy, ox] = b[co] + Σ_{c < Cin/groups, ky, kx} x[n, g·Cin/groups + c, oy·s − p + ky, ox·s − p + kx] · w[co, c, ky, kx]
// The adjoint variant reads w as a transposed convolution stores it, flipped: that makes this
// kernel the stride-1 transposed convolution, i.e. also conv2d's input gradient. The phase
// variant reads one phase's sub-kernel of such weights: a stride-s transposed convolution is s²
// of these stride-1 convolutions, each filling every s-th row and column of y.
// bindings: 0 x [N, Cin, H, W] (read); 1 w [Cout, Cin/groups, KH, KW] (adjoint: [Cin, Cout/groups, KH, KW]) (read);
//           2 b [Cout] (read, unused when has_bias = 0); 3 y [N, Cout, Ho, Wo] (storage); 4 params
// workgroup (16, 4); grid: (ceil(Wo / (16·PIXELS)), ceil(Ho / 4), N · Cout / OC_BLOCK)
#include "conv_bindings.wgsl"

const OC_BLOCK: u32 = {{OC_BLOCK}}u;

// x at column `col` of the row starting at `row`; 0 outside the image (zero padding)
fn load_x(row: u32, col: i32) -> f32 {
  let inside = col >= 0 && col < i32(params.W);
  return select(0.0, x[row + u32(clamp(col, 0, i32(params.W) - 1))], inside);
}

// the 4 outputs from column ox0 (those inside the row)
fn store(n: u32, co: u32, oy: u32, ox0: u32, acc: vec4<f32>) {
  if (ox0 >= params.Wo) {
    return;
  }
  let v = acc + select(0.0, b[co], params.has_bias != 0u);
  let s = params.out_stride;
  let out = ((n * params.Cout + co) * params.out_H + params.out_y0 + oy * s) * params.out_W + params.out_x0 + ox0 * s;
  y[out] = v.x;
  if (ox0 + 1u < params.Wo) { y[out + s] = v.y; }
  if (ox0 + 2u < params.Wo) { y[out + 2u * s] = v.z; }
  if (ox0 + 3u < params.Wo) { y[out + 3u * s] = v.w; }
}

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ox0 = gid.x * {{PIXELS}}u;
  let oy = gid.y;
  let blocks = params.Cout / OC_BLOCK;
  let n = gid.z / blocks;
  let co0 = (gid.z % blocks) * OC_BLOCK;
  if (ox0 >= params.Wo || oy >= params.Ho || n >= params.N) {
    return;
  }
  let cin_g = params.Cin / params.groups;
  let cout_g = params.Cout / params.groups;
  let group = co0 / cout_g;
  let ci0 = group * cin_g;
  let taps = {{W_TAPS}}u; // taps per (input, output) channel pair in w's layout
  let w_channel_stride = {{W_CHANNEL_STRIDE}}; // from output channel co to co + 1
  let col0 = i32(ox0 * {{STRIDE}}u) - params.pad_x;
{{DECLARE}}
  for (var c = 0u; c < cin_g; c++) {
    let plane = (n * params.Cin + ci0 + c) * params.H * params.W;
    let w_base = {{W_BASE}};
{{TAPS}}
  }
{{STORE}}
}

// Transposed 2-D convolution as PyTorch's ConvTranspose2d computes it, in gather form: each
// output pixel sums the input pixels whose scattered kernel footprint covers it,
//   y[n, co, oy, ox] = b[co] + Σ_{c < Cin/groups, ky, kx} x[n, g·Cin/groups + c, iy, ix] · w[g·Cin/groups + c, co − g·Cout/groups, ky, kx]
//   where oy = iy·s − p + ky and ox = ix·s − p + kx (terms with no integer iy/ix vanish).
// Only taps with ky ≡ oy + p (mod s) contribute to a row, so the tap loops start at that phase
// and step by s. An invocation takes 4 output pixels of one phase, ox0 + j·s: they share their
// taps, and the input columns they read are neighbours (ix0 + j), loaded as one run.
// The output size is a parameter, so this is also conv2d's input gradient for strides > 1.
// OC_BLOCK output channels per invocation, unrolled by src/ops/conv_codegen.ts. A stride-1
// transposed convolution runs as conv2d.wgsl's adjoint variant instead.
// bindings: 0 x [N, Cin, H, W] (read); 1 w [Cin, Cout/groups, KH, KW] (read); 2 b [Cout] (read, unused when has_bias = 0);
//           3 y [N, Cout, Ho, Wo] (storage); 4 params
// workgroup (16, 4); grid: (ceil(s · ceil(Wo / 4s) / 16), ceil(Ho / 4), N · Cout / OC_BLOCK)
#include "conv_bindings.wgsl"

const OC_BLOCK: u32 = {{OC_BLOCK}}u;

// Output pixels ox0 + j·s of row oy.
fn store(n: u32, co: u32, oy: u32, ox0: u32, acc: vec4<f32>) {
  let v = acc + select(0.0, b[co], params.has_bias != 0u);
  let row = ((n * params.Cout + co) * params.Ho + oy) * params.Wo;
  let s = params.stride;
  y[row + ox0] = v.x;
  if (ox0 + s < params.Wo) { y[row + ox0 + s] = v.y; }
  if (ox0 + 2u * s < params.Wo) { y[row + ox0 + 2u * s] = v.z; }
  if (ox0 + 3u * s < params.Wo) { y[row + ox0 + 3u * s] = v.w; }
}

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let s = params.stride;
  let phase = gid.x % s;
  let ox0 = (gid.x / s) * 4u * s + phase;
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
  let col0 = co0 - group * cout_g;
  let taps = params.KH * params.KW;
  let W = i32(params.W);
  let ky0 = (oy + params.pad) % s;
  let kx0 = (ox0 + params.pad) % s;
{{DECLARE}}
  for (var c = 0u; c < cin_g; c++) {
    let ci = group * cin_g + c;
    let plane = (n * params.Cin + ci) * params.H * params.W;
    let w_base = (ci * cout_g + col0) * taps; // w[ci, col0 + o, ky, kx] = w[w_base + o·taps + ky·KW + kx]
    for (var ky = ky0; ky < params.KH; ky += s) {
      let iy = (i32(oy + params.pad) - i32(ky)) / i32(s); // exact: ky has the row's phase
      if (iy < 0 || iy >= i32(params.H)) {
        continue;
      }
      let row = plane + u32(iy) * params.W;
      for (var kx = kx0; kx < params.KW; kx += s) {
        // pixel j reads input column ix0 + j
        let ix0 = (i32(ox0 + params.pad) - i32(kx)) / i32(s);
        let cols = vec4<i32>(ix0, ix0 + 1, ix0 + 2, ix0 + 3);
        let inside = (cols >= vec4<i32>(0)) & (cols < vec4<i32>(W));
        let safe = vec4<u32>(clamp(cols, vec4<i32>(0), vec4<i32>(W - 1)));
        let xv = select(vec4<f32>(0.0), vec4<f32>(x[row + safe.x], x[row + safe.y], x[row + safe.z], x[row + safe.w]), inside);
        let wk = w_base + ky * params.KW + kx;
{{ACCUMULATE}}
      }
    }
  }
{{STORE}}
}

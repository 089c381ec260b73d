// Unfolds the receptive fields of a convolution into columns (im2col), so that the weight
// gradient becomes one matmul: dw [Cout, Cin·KH·KW] = dy [Cout, Ho·Wo] · colsᵀ, summed over samples.
//   cols[n, (c·KH + ky)·KW + kx, oy·Wo + ox] = x[n, c, oy·s − p + ky, ox·s − p + kx]   (0 outside the image)
// bindings: 0 x [N, C, H, W] (read); 1 cols [N, C·KH·KW, Ho·Wo] (storage); 2 params
// workgroup 256, one invocation per element of cols; grid: grid1d(N·C·KH·KW·Ho·Wo, 256)
#include "common.wgsl"

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  Ho: u32, Wo: u32, KH: u32, KW: u32,
  stride: u32, pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> cols: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let pixels = params.Ho * params.Wo;
  let rows = params.C * params.KH * params.KW;
  if (i >= params.N * rows * pixels) {
    return;
  }
  let p = i % pixels;
  let row = (i / pixels) % rows;
  let n = i / (pixels * rows);
  let kx = row % params.KW;
  let ky = (row / params.KW) % params.KH;
  let c = row / (params.KW * params.KH);
  let iy = i32((p / params.Wo) * params.stride + ky) - i32(params.pad);
  let ix = i32((p % params.Wo) * params.stride + kx) - i32(params.pad);
  var v = 0.0;
  if (iy >= 0 && iy < i32(params.H) && ix >= 0 && ix < i32(params.W)) {
    v = x[((n * params.C + c) * params.H + u32(iy)) * params.W + u32(ix)];
  }
  cols[i] = v;
}

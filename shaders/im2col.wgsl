// Unfolds the receptive fields of a convolution into columns (im2col), so that the weight
// gradient becomes one matmul: dw [Cout, Cin·KH·KW] = dy [Cout, Ho·Wo] · colsᵀ, summed over samples.
//   cols[n, (c·KH + ky)·KW + kx, oy·Wo + ox] = x[n, c, oy·s − p + ky, ox·s − p + kx]   (0 outside the image)
// bindings: 0 x [N, C, H, W] (read); 1 cols [N, C·KH·KW, Ho·Wo] (storage); 2 params
// workgroup 256, one invocation per run of 8 columns of one output row (the index arithmetic,
// six divisions, is paid once per run: per element it made im2col a fifth of a DIDFuse training
// step on SwiftShader); grid: grid1d(N·C·KH·KW·Ho·ceil(Wo/8), 256)
#include "common.wgsl"

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  Ho: u32, Wo: u32, KH: u32, KW: u32,
  stride: u32, pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> cols: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const RUN: u32 = 8u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flat_index(gid, nwg, 256u);
  let runs_per_row = (params.Wo + RUN - 1u) / RUN;
  let rows = params.C * params.KH * params.KW;
  if (j >= params.N * rows * params.Ho * runs_per_row) {
    return;
  }
  let ox0 = (j % runs_per_row) * RUN;
  let line = j / runs_per_row; // (n, row, oy)
  let oy = line % params.Ho;
  let row = (line / params.Ho) % rows;
  let n = line / (params.Ho * rows);
  let kx = row % params.KW;
  let ky = (row / params.KW) % params.KH;
  let c = row / (params.KW * params.KH);
  let iy = i32(oy * params.stride + ky) - i32(params.pad);
  let row_inside = iy >= 0 && iy < i32(params.H);
  let x_row = ((n * params.C + c) * params.H + u32(max(iy, 0))) * params.W;
  let out = (n * rows + row) * params.Ho * params.Wo + oy * params.Wo;
  for (var k = 0u; k < RUN; k++) {
    let ox = ox0 + k;
    if (ox < params.Wo) {
      let ix = i32(ox * params.stride + kx) - i32(params.pad);
      var v = 0.0;
      if (row_inside && ix >= 0 && ix < i32(params.W)) {
        v = x[x_row + u32(ix)];
      }
      cols[out + ox] = v;
    }
  }
}

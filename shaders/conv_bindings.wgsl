// The geometry and bindings shared by conv2d.wgsl and conv_transpose2d.wgsl (one Params layout,
// written by geometryParams in src/ops/conv.ts). Cin/H/W describe x, Cout/Ho/Wo the output grid
// the kernel computes. conv2d.wgsl pads rows and columns by pad_y, pad_x (signed: a phase of a
// transposed convolution may crop) and stores output (oy, ox) of that grid at row
// out_y0 + oy·out_stride, column out_x0 + ox·out_stride of y [N, Cout, out_H, out_W]: the grid is
// all of y (out_stride 1) or one phase of a strided transposed convolution.
struct Params {
  N: u32, Cin: u32, H: u32, W: u32,
  Cout: u32, Ho: u32, Wo: u32, KH: u32,
  KW: u32, stride: u32, pad: u32, groups: u32,
  has_bias: u32, pad_y: i32, pad_x: i32, out_stride: u32,
  out_y0: u32, out_x0: u32, out_H: u32, out_W: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// The geometry and bindings shared by conv2d.wgsl and conv_transpose2d.wgsl (one Params layout,
// written by geometryParams in src/ops/conv.ts). Cin/H/W describe x, Cout/Ho/Wo the output.
struct Params {
  N: u32, Cin: u32, H: u32, W: u32,
  Cout: u32, Ho: u32, Wo: u32, KH: u32,
  KW: u32, stride: u32, pad: u32, groups: u32,
  has_bias: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// Pads the last two axes: y [B, Hp, Wp] reads x [B, H, W] at (r − top, c − left) through the
// border rule (border.wgsl: zero, replicate, reflect, symmetric).
// bindings: 0 x (read); 1 y (storage); 2 params
// workgroup 256, one invocation per element of y; grid: grid1d(B·Hp·Wp, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { B: u32, H: u32, W: u32, mode: u32, top: u32, bottom: u32, left: u32, right: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let Hp = params.H + params.top + params.bottom;
  let Wp = params.W + params.left + params.right;
  if (i >= params.B * Hp * Wp) {
    return;
  }
  let b = i / (Hp * Wp);
  let r = border_index(i32((i / Wp) % Hp) - i32(params.top), i32(params.H), params.mode);
  let c = border_index(i32(i % Wp) - i32(params.left), i32(params.W), params.mode);
  if (r < 0 || c < 0) {
    y[i] = 0.0;
    return;
  }
  y[i] = x[(b * params.H + u32(r)) * params.W + u32(c)];
}

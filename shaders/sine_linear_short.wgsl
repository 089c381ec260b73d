// Fused SIREN layer forward for a few inputs (a SIREN's first layer: K = 2 coordinates), on GPUs:
// Z = X·Wᵀ + b, Y = sin(ω·Z) (or Y = Z when LINEAR), as sine_linear.wgsl computes it. With K
// this short the layer is its stores: 16 MiB of Y and 16 of Z at 128², where the matmul cores'
// 4×4 blocks store scalars 16 bytes apart (66 µs on an H100). Here a thread computes 4 adjacent
// outputs of one row and stores each array's as one vec4.
//   X: [M, K] (K ≤ 4); W: [N, K] (PyTorch layout, N a multiple of 4); b: [N] as vec4s
//   Y, Z: [M, N] as vec4s
// bindings: 0 X (read); 1 W (read); 2 b (read); 3 Y (storage); 4 Z (storage, unused unless STORE_Z);
//           5 params { M, N4 (= N / 4), K, omega }
// workgroup 256; grid: ceil(M·N4 / 256) workgroups, folded into 2-D

struct Params { M: u32, N4: u32, K: u32, omega: f32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> Y: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> Z: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> params: Params;

#include "common.wgsl"
#include "sine_linear_short_outputs.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  short_outputs(flat_index(gid, groups, 256u));
}

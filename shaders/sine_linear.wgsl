// Fused SIREN layer forward: Z = X·Wᵀ + b, Y = sin(ω·Z) (or Y = Z when LINEAR), in one pass.
// Z is kept for the backward (dZ = dY·ω·cos(ω·Z)); the sine layer's backward is in
// src/ops/sine_linear.ts (an element-wise kernel and two matmuls).
//   X: [M, K] (M points, K = fan_in); W: [N, K] (PyTorch layout, N = fan_out; the Bᵀ core), or a
//   copy of it as [K, N] for the plain core on GPUs (src/ops/matmul_kernel.ts copiesBTransposed); b: [N]
//   Y, Z: [M, N]
// bindings: 0 X (read); 1 W (read); 2 b (read); 3 Y (storage); 4 Z (storage, unused unless STORE_Z);
//           5 params { M, N, K, omega }
// workgroup (WG_X, WG_Y, K_SLICES), a BLOCK_ROWS × BLOCK_COLS block per invocation, tiles and K
// slices as in matmul.wgsl; grid: (ceil(N / tile columns), ceil(M / tile rows))

struct Params { M: u32, N: u32, K: u32, omega: f32 }

@group(0) @binding(0) var<storage, read> A: array<{{OPERAND}}>; // f32, or vec4<f32> for the vec4 core
@group(0) @binding(1) var<storage, read> B: array<{{OPERAND}}>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
@group(0) @binding(4) var<storage, read_write> Z: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

override LINEAR: bool = false;
override STORE_Z: bool = true; // false for inference: nothing will differentiate this layer

#include "matmul_tile.wgsl"
#include "sine_linear_store.wgsl"

@compute @workgroup_size(WG_X, WG_Y, K_SLICES)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_block(wid, lid, 0u, 0u, 0u, params.K);
  if (!t.stores) {
    return;
  }
  for (var i = 0u; i < BLOCK_ROWS && t.row0 + i < params.M; i++) {
    for (var j = 0u; j < BLOCK_COLS && t.col0 + j < params.N; j++) {
      let v = t.block[i * (BLOCK_COLS / 4u) + j / 4u][j % 4u];
      let at = (t.row0 + i) * params.N + t.col0 + j;
      store_output(at, v + bias[t.col0 + j]);
    }
  }
}

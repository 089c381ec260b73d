// A SIREN's backward between two layers, fused (src/ops/siren_mlp.ts): the gradient at layer l's
// input, dx = dz·W (a plain matmul), is the gradient at the previous layer's output, so its
// epilogue applies that layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and sums each invocation's
// rows of dz_prev, the first level of the previous layer's db. Without it, dx is written, then
// read again by a pass of its own (sine_linear_backward.wgsl).
//   A = dz: [M, K] (M points, K = layer l's outputs); B = W: [K, N] (layer l's weight, PyTorch's
//   [out, in]: N = its inputs); Z = z_prev: [M, N]
//   DZ = dz_prev: [M, N]; PARTIAL: [ceil(M / BLOCK_ROWS), N], the column sums of each row block
// bindings: 0 A (read); 1 B (read); 2 Z (read); 3 DZ (storage); 4 PARTIAL (storage);
//           5 params { M, N, K, omega }
// workgroup, tiles and K slices as in matmul.wgsl; grid: (ceil(N / tile columns), ceil(M / tile rows))

struct Params { M: u32, N: u32, K: u32, omega: f32 }

@group(0) @binding(0) var<storage, read> A: array<{{OPERAND}}>; // f32, or vec4<f32> for the vec4 core
@group(0) @binding(1) var<storage, read> B: array<{{OPERAND}}>;
@group(0) @binding(2) var<storage, read> Z: array<f32>;
@group(0) @binding(3) var<storage, read_write> DZ: array<f32>;
@group(0) @binding(4) var<storage, read_write> PARTIAL: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

#include "matmul_tile.wgsl"

@compute @workgroup_size(WG_X, WG_Y, K_SLICES)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = tile_block(wid, lid, 0u, 0u, 0u, params.K);
  if (!t.stores) {
    return;
  }
  let partial_row = (t.row0 / BLOCK_ROWS) * params.N;
  for (var j = 0u; j < BLOCK_COLS && t.col0 + j < params.N; j++) {
    var column = 0.0;
    for (var i = 0u; i < BLOCK_ROWS && t.row0 + i < params.M; i++) {
      let at = (t.row0 + i) * params.N + t.col0 + j;
      let dz = t.block[i * (BLOCK_COLS / 4u) + j / 4u][j % 4u] * params.omega * cos(params.omega * Z[at]);
      DZ[at] = dz;
      column += dz;
    }
    PARTIAL[partial_row + t.col0 + j] = column;
  }
}

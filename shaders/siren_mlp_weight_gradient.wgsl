// Layer l's weight gradient in the dispatch of its product through the sine
// (siren_mlp_backward.wgsl, the workgroup rows after the companion's;
// src/ops/siren_mlp_backward.ts): both read layer l's dz, and neither waits for the other, so
// the two products fill the GPU together where each alone fills half of it, behind one barrier
// instead of two.
// dW = dzᵀ·x, in K slices across workgroups (planes), as matmul.wgsl splits it: the through-sine
// product's dims permuted (M = its K, layer l's outputs; N = its N, the inputs; K = its M, the
// points). A (dz) is read transposed by the generated core DW_CORE (matmul_block_dw).
//   X: [points, inputs], layer l's input; DW: [planes, outputs, inputs]
//   params.dw_rows: workgroup rows of this role (planes × tile rows); params.dw_k_slice: points a plane

struct Dims { M: u32, N: u32, K: u32 }

fn dw_dims() -> Dims {
  return Dims(params.K, params.N, params.M);
}

#include "{{DW_CORE}}"

// The work of workgroup (x, row) of this role: the tile rows of plane 0, then of plane 1, ...
// Every invocation of the workgroup calls it (tile_of has a barrier).
fn weight_gradient(x: u32, row: u32, lid: vec3<u32>) {
  let d = dw_dims();
  let tile_rows = (d.M + BLOCK_ROWS * WG_Y - 1u) / (BLOCK_ROWS * WG_Y);
  let plane = row / tile_rows;
  let k0 = plane * params.dw_k_slice;
  let o = tile_origin(vec3<u32>(x, row % tile_rows, 0u), lid, d.M, d.N, k0, min(k0 + params.dw_k_slice, d.K));
  let t = tile_of(o, matmul_block_dw(0u, 0u, o.row, o.col, o.k.x, o.k.y), lid);
  if (!t.stores) {
    return;
  }
  let base = plane * d.M * d.N;
  for (var i = 0u; i < BLOCK_ROWS && t.row0 + i < d.M; i++) {
    for (var j = 0u; j < BLOCK_COLS && t.col0 + j < d.N; j++) {
      DW[base + (t.row0 + i) * d.N + t.col0 + j] = t.block[i * (BLOCK_COLS / 4u) + j / 4u][j % 4u];
    }
  }
}

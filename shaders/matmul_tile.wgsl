// The tile of a matmul-family kernel (matmul.wgsl, sine_linear.wgsl, siren_mlp_backward.wgsl),
// up to its epilogue: the register block of each invocation, summed over the workgroup's K
// slices. The including kernel declares `A`, `B` and a uniform `params` with M, N, K; the
// snippets (src/ops/matmul_kernel.ts matmulPlan) give the core, the block and the workgroup.

const BLOCK_ROWS: u32 = {{BLOCK_ROWS}}u; // the register block (4×4 for the scalar core; see matmul_codegen.ts)
const BLOCK_COLS: u32 = {{BLOCK_COLS}}u;
const WG_X: u32 = {{WG_X}}u;
const WG_Y: u32 = {{WG_Y}}u;
const K_SLICES: u32 = {{K_SLICES}}u;

#include "{{CORE}}"
#include "matmul_slices.wgsl"

struct Tile {
  row0: u32, // the block's first row and column in the output
  col0: u32,
  stores: bool, // inside the output, and slice 0: the invocation that stores the block
  block: array<vec4<f32>, BLOCK_VEC4S>,
}

// The block of invocation `lid` of workgroup `wid` (grid: tiles along x, y) over k in
// [k_begin, k_end), summed over the workgroup's K slices. Every invocation calls it and none
// returns before (sum_slices has a barrier): those past the output take an empty K range, with
// clamped rows and columns keeping their loads in bounds, and store nothing.
fn tile_block(wid: vec3<u32>, lid: vec3<u32>, a_base: u32, b_base: u32, k_begin: u32, k_end: u32) -> Tile {
  let row0 = (wid.y * WG_Y + lid.y) * BLOCK_ROWS;
  let col0 = (wid.x * WG_X + lid.x) * BLOCK_COLS;
  let inside = row0 < params.M && col0 < params.N;
  let k = select(vec2<u32>(0u), slice_range(k_begin, k_end, lid.z), inside);
  var block = matmul_block(a_base, b_base, min(row0, params.M - 1u), min(col0, params.N - 1u), k.x, k.y);
  if (K_SLICES > 1u) {
    block = sum_slices(block, lid);
  }
  return Tile(row0, col0, inside && lid.z == 0u, block);
}

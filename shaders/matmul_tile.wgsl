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

// Where invocation `lid` of workgroup `wid` (grid: tiles along x, y) works in an M×N output, and
// on which part of [k_begin, k_end): those past the output take an empty K range, with rows and
// columns clamped into it (`row`, `col`) to keep their loads in bounds, and store nothing.
struct TileOrigin {
  row0: u32,
  col0: u32,
  row: u32,
  col: u32,
  inside: bool,
  k: vec2<u32>,
}

fn tile_origin(wid: vec3<u32>, lid: vec3<u32>, M: u32, N: u32, k_begin: u32, k_end: u32) -> TileOrigin {
  let row0 = (wid.y * WG_Y + lid.y) * BLOCK_ROWS;
  let col0 = (wid.x * WG_X + lid.x) * BLOCK_COLS;
  let inside = row0 < M && col0 < N;
  let k = select(vec2<u32>(0u), slice_range(k_begin, k_end, lid.z), inside);
  return TileOrigin(row0, col0, min(row0, M - 1u), min(col0, N - 1u), inside, k);
}

// The tile from an invocation's block, summed over the workgroup's K slices. Every invocation
// calls it and none returns before (sum_slices has a barrier).
fn tile_of(o: TileOrigin, block: array<vec4<f32>, BLOCK_VEC4S>, lid: vec3<u32>) -> Tile {
  var total = block;
  if (K_SLICES > 1u) {
    total = sum_slices(block, lid);
  }
  return Tile(o.row0, o.col0, o.inside && lid.z == 0u, total);
}

// The block of invocation `lid` of workgroup `wid` over k in [k_begin, k_end) of params' M×N
// product, summed over the workgroup's K slices (see tile_origin and tile_of).
fn tile_block(wid: vec3<u32>, lid: vec3<u32>, a_base: u32, b_base: u32, k_begin: u32, k_end: u32) -> Tile {
  let o = tile_origin(wid, lid, params.M, params.N, k_begin, k_end);
  return tile_of(o, matmul_block(a_base, b_base, o.row, o.col, o.k.x, o.k.y), lid);
}

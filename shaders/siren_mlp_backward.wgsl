// A SIREN's backward between two layers, fused (src/ops/siren_mlp_backward.ts, for siren_mlp.ts):
// the gradient at layer l's input, dx = dz·W (a plain matmul), is the gradient at the previous
// layer's output, so its epilogue applies that layer's sine, dz_prev = dx·ω·cos(ω·z_prev), and
// sums the tile's rows of dz_prev, the first level of the previous layer's db. Without it, dx is
// written, then read again by a pass of its own (sine_linear_backward.wgsl).
// With a companion (the COMPANION snippets), the workgroups before the product's tiles also
// finish a layer's gradients (its dW slices and db partials: pair_sums.wgsl, one pair), which
// were ready before this dispatch: a SIREN step's sums each take a pass of their own otherwise.
// With a weight gradient (the DW snippets, siren_mlp_weight_gradient.wgsl), the next workgroup
// rows make layer l's dW = dzᵀ·x_l, which reads the same dz and so needs no pass of its own. The
// companion then sums a layer after l (layer l's sums are not ready); without the weight gradient,
// the oldest waiting layer's, l's or one after it (src/ops/siren_mlp.ts keeps the queue).
// With the first layer's weight gradient (FIRST_IN > 0: dz_prev is the first layer's dz, and its
// inputs X0 [M, FIRST_IN] are a few coordinates), the epilogue also sums the tile's rows of
// dz_prev weighted by each input, dW₀'s first level, as it sums them for db: no product of its own.
// With layer l's own weight gradient in the epilogue (OWN_OUT > 0: layer l has at most 3 outputs,
// as a SIREN's last, and the scalar core runs), it sums the tile's rows of layer l's input OWN_X
// [M, N] weighted by each output's dz, A's row: dW_l's first level, where the DW snippets'
// product would be a column of 1 to 3 rows.
//   A = dz: [M, K] (M points, K = layer l's outputs); B = W: [K, N] (layer l's weight, PyTorch's
//   [out, in]: N = its inputs); Z = z_prev: [M, N]
//   DZ = dz_prev: [M, N]; PARTIAL: [tiles along rows, N], the column sums of each tile's rows
//   (one row of partials per workgroup row: a bias sum over 4,096 of them took two passes on GPUs)
//   FIRST_PARTIAL: [tiles along rows, N, FIRST_IN], whose sum over tiles is dW₀ [N, FIRST_IN]
//   OWN_PARTIAL: [tiles along rows, OWN_OUT, N], whose sum over tiles is dW_l [K, N]
// bindings (src/ops/siren_mlp_backward.ts throughSineKernel): A, B, Z, [X], [X0], [OWN_X],
//           [PAIR_A, PAIR_B] (read); DZ, PARTIAL, [DW], [FIRST_PARTIAL], [OWN_PARTIAL],
//           [PAIR_SA, PAIR_SB] (storage); the epilogue roles' buffers, and pair_sums.wgsl's second
//           pair, are private stubs without them; params { M, N, K, omega, companion_rows,
//           dw_rows, dw_k_slice, and pair_sums.wgsl's fields (0 for a role that does not run) }
// workgroup, tiles and K slices as in matmul.wgsl (256 invocations with a companion);
// grid: (ceil(N / tile columns), companion_rows + dw_rows + ceil(M / tile rows))

struct Params {
  M: u32, N: u32, K: u32, omega: f32, companion_rows: u32, dw_rows: u32, dw_k_slice: u32,
{{PAIR_FIELDS}}
}

@group(0) @binding(0) var<storage, read> A: array<{{OPERAND}}>; // f32, or vec4<f32> for the vec4 core
@group(0) @binding(1) var<storage, read> B: array<{{OPERAND}}>;
@group(0) @binding(2) var<storage, read> Z: array<f32>;
@group(0) @binding({{DZ_BINDING}}) var<storage, read_write> DZ: array<f32>;
@group(0) @binding({{PARTIAL_BINDING}}) var<storage, read_write> PARTIAL: array<f32>;
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;
{{COMPANION_DECLARATIONS}}
#include "matmul_tile.wgsl"
{{DW_DECLARATIONS}}
{{FIRST_DECLARATIONS}}
{{OWN_DECLARATIONS}}

const FIRST_IN: u32 = {{FIRST_IN}}u;
const OWN_OUT: u32 = {{OWN_OUT}}u;
// column sums of each block column: db_prev's, then dW₀'s, one per first-layer input, then
// dW_l's, one per output of layer l
const SUMS: u32 = 1u + FIRST_IN + OWN_OUT;

// Each invocation's column sums over its block's rows, [sum s][column j of the block][lid.y]
// [lid.x], so that the summing invocations (lid.y = 0) read adjacent words.
var<workgroup> column_sums: array<f32, SUMS * BLOCK_COLS * WG_Y * WG_X>;

@compute @workgroup_size(WG_X, WG_Y, K_SLICES)
fn main(@builtin(workgroup_id) grid_id: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) index: u32) {
  // the first companion_rows rows of workgroups are the companion's (uniform per workgroup), so
  // that its short groups start first instead of trailing the products'; then the weight
  // gradient's dw_rows (their K loops as long as the product's, as splitK cuts them); then the
  // product's tiles
  if (grid_id.y < params.companion_rows) {
{{COMPANION_CALL}}
    return;
  }
  if (grid_id.y < params.companion_rows + params.dw_rows) {
{{DW_CALL}}
    return;
  }
  let wid = vec3<u32>(grid_id.x, grid_id.y - params.companion_rows - params.dw_rows, grid_id.z);
  let t = tile_block(wid, lid, 0u, 0u, 0u, params.K);
  var sums: array<array<f32, BLOCK_COLS>, SUMS>; // zeros where this invocation stores nothing
  if (t.stores) {
    for (var j = 0u; j < BLOCK_COLS && t.col0 + j < params.N; j++) {
      for (var i = 0u; i < BLOCK_ROWS && t.row0 + i < params.M; i++) {
        let at = (t.row0 + i) * params.N + t.col0 + j;
        let dz = t.block[i * (BLOCK_COLS / 4u) + j / 4u][j % 4u] * params.omega * cos(params.omega * Z[at]);
        DZ[at] = dz;
        sums[0][j] += dz;
        for (var c = 0u; c < FIRST_IN; c++) {
          sums[1u + c][j] += dz * X0[(t.row0 + i) * FIRST_IN + c];
        }
        // A is f32 with the scalar core, the only one this role runs with; vec4<f32>(…).x reads
        // it, and type-checks with the vec4 core too, where OWN_OUT = 0
        for (var k = 0u; k < OWN_OUT; k++) {
          sums[1u + FIRST_IN + k][j] += vec4<f32>(A[(t.row0 + i) * OWN_OUT + k]).x * OWN_X[at];
        }
      }
    }
  }
  if (lid.z == 0u) {
    for (var s = 0u; s < SUMS; s++) {
      for (var j = 0u; j < BLOCK_COLS; j++) {
        column_sums[((s * BLOCK_COLS + j) * WG_Y + lid.y) * WG_X + lid.x] = sums[s][j];
      }
    }
  }
  workgroupBarrier();
  // the tile's first row of invocations adds up its column of blocks
  if (lid.z == 0u && lid.y == 0u && t.col0 < params.N) {
    for (var j = 0u; j < BLOCK_COLS && t.col0 + j < params.N; j++) {
      for (var s = 0u; s < SUMS; s++) {
        var column = 0.0;
        for (var y = 0u; y < WG_Y; y++) {
          column += column_sums[((s * BLOCK_COLS + j) * WG_Y + y) * WG_X + lid.x];
        }
        let at = wid.y * params.N + t.col0 + j;
        if (s == 0u) {
          PARTIAL[at] = column;
        } else if (s <= FIRST_IN) {
          FIRST_PARTIAL[at * FIRST_IN + s - 1u] = column;
        } else {
          OWN_PARTIAL[(wid.y * OWN_OUT + s - 1u - FIRST_IN) * params.N + t.col0 + j] = column;
        }
      }
    }
  }
}

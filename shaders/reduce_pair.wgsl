// Two sums over a leading axis in one pass (src/ops/reduce.ts, sumLeadingPair): the column sums
// of A [rows_a, cols_a] and of B [rows_b, cols_b]. A layer's gradients end in two such sums, dW's
// K slices and db's partial sums, and a dispatch costs a few µs on a GPU even when it does
// nothing; here they share one.
// bindings: 0 A (read); 1 B (read); 2 SA (storage, [cols_a]); 3 SB (storage, [cols_b]);
//           4 params { rows_a, cols_a, rows_b, cols_b, groups_a }
// workgroup (32, 8): 32 adjacent columns (coalesced loads), 8 invocations down each column, then
// a tree of 8 in workgroup memory. The first groups_a = ceil(cols_a / 32) workgroups sum A, the
// next ceil(cols_b / 32) sum B. grid: grid1d(groups_a + ceil(cols_b / 32), 1)
#include "common.wgsl"

struct Params { rows_a: u32, cols_a: u32, rows_b: u32, cols_b: u32, groups_a: u32 }

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> SA: array<f32>;
@group(0) @binding(3) var<storage, read_write> SB: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const COLUMNS: u32 = 32u;
const DOWN: u32 = 8u;

var<workgroup> parts: array<f32, 256>;

@compute @workgroup_size(32, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let group = flat_group(wid, nwg);
  let in_a = group < params.groups_a; // uniform: the whole workgroup sums the same matrix
  let cols = select(params.cols_b, params.cols_a, in_a);
  let rows = select(params.rows_b, params.rows_a, in_a);
  let col = select(group - params.groups_a, group, in_a) * COLUMNS + lid.x;
  var acc = 0.0;
  if (col < cols) {
    for (var r = lid.y; r < rows; r += DOWN) {
      if (in_a) {
        acc += A[r * cols + col];
      } else {
        acc += B[r * cols + col];
      }
    }
  }
  let slot = lid.y * COLUMNS + lid.x;
  parts[slot] = acc;
  for (var half = DOWN / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid.y < half) {
      parts[slot] += parts[slot + half * COLUMNS];
    }
  }
  if (lid.y != 0u || col >= cols) {
    return;
  }
  if (in_a) {
    SA[col] = parts[slot];
  } else {
    SB[col] = parts[slot];
  }
}

// Two sums over a leading axis in one pass (src/ops/reduce.ts, sumLeadingPair): the column sums
// of A [rows_a, cols_a] and of B [rows_b, cols_b]. A layer's gradients end in two such sums, dW's
// K slices and db's partial sums, and a dispatch costs a few µs on a GPU even when it does
// nothing; here they share one.
// bindings: 0 A (read); 1 B (read); 2 SA (storage, [cols_a]); 3 SB (storage, [cols_b]);
//           4 params { rows_a, cols_a, lanes_a, groups_a, rows_b, cols_b, lanes_b }
// workgroup 256: `lanes` adjacent columns (coalesced loads; 32, fewer for a matrix fewer columns
// wide or with long columns), 256 / lanes invocations down each column, then a tree in workgroup
// memory. The first groups_a = ceil(cols_a / lanes_a) workgroups sum A, the next
// ceil(cols_b / lanes_b) B.
// grid: grid1d(groups_a + ceil(cols_b / lanes_b), 1)
#include "common.wgsl"

struct Params { rows_a: u32, cols_a: u32, lanes_a: u32, groups_a: u32, rows_b: u32, cols_b: u32, lanes_b: u32 }

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> SA: array<f32>;
@group(0) @binding(3) var<storage, read_write> SB: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> parts: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = flat_group(wid, nwg);
  let in_a = group < params.groups_a; // uniform: the whole workgroup sums the same matrix
  let rows = select(params.rows_b, params.rows_a, in_a);
  let cols = select(params.cols_b, params.cols_a, in_a);
  let lanes = select(params.lanes_b, params.lanes_a, in_a);
  let down = 256u / lanes;
  let lane = lid % lanes;
  let col = select(group - params.groups_a, group, in_a) * lanes + lane;
  var acc = 0.0;
  if (col < cols) {
    for (var r = lid / lanes; r < rows; r += down) {
      if (in_a) {
        acc += A[r * cols + col];
      } else {
        acc += B[r * cols + col];
      }
    }
  }
  parts[lid] = acc;
  for (var half = 128u; half >= lanes; half /= 2u) {
    workgroupBarrier();
    if (lid < half) {
      parts[lid] += parts[lid + half];
    }
  }
  if (lid >= lanes || col >= cols) {
    return;
  }
  if (in_a) {
    SA[col] = parts[lid];
  } else {
    SB[col] = parts[lid];
  }
}

// Two sums over a leading axis (src/ops/reduce.ts pairSums): the column sums of PAIR_A
// [rows_a, cols_a] and of PAIR_B [rows_b, cols_b], into PAIR_SA [cols_a] and PAIR_SB [cols_b].
// A layer's gradients end in two such sums, dW's K slices and db's partial sums. Pasted into
// reduce_pair.wgsl (a pass of its own) and siren_mlp_backward.wgsl (its workgroups past the
// product's tiles: the previous layer's sums beside this layer's product, one dispatch fewer).
// The includer declares PAIR_A, PAIR_B (read), PAIR_SA, PAIR_SB (storage), a uniform `params`
// with rows_a, cols_a, lanes_a, groups_a, rows_b, cols_b, lanes_b, and runs 256 invocations.
// A workgroup: `lanes` adjacent columns (coalesced loads; 32, fewer for a matrix fewer columns
// wide or with long columns), 256 / lanes invocations down each column, then a tree in workgroup
// memory. Groups 0 .. groups_a − 1 sum A, the next ceil(cols_b / lanes_b) B, any later none.

var<workgroup> pair_parts: array<f32, 256>;

// The work of pair group `group` (uniform across its workgroup), invocation `lid` of 256.
fn pair_sums(group: u32, lid: u32) {
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
        acc += PAIR_A[r * cols + col];
      } else {
        acc += PAIR_B[r * cols + col];
      }
    }
  }
  pair_parts[lid] = acc;
  for (var half = 128u; half >= lanes; half /= 2u) {
    workgroupBarrier();
    if (lid < half) {
      pair_parts[lid] += pair_parts[lid + half];
    }
  }
  if (lid >= lanes || col >= cols) {
    return;
  }
  if (in_a) {
    PAIR_SA[col] = pair_parts[lid];
  } else {
    PAIR_SB[col] = pair_parts[lid];
  }
}

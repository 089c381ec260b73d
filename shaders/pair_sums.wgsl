// Sums over a leading axis, a pair or two pairs (src/ops/reduce.ts pairSums, joinPairSums): the
// column sums of PAIR_A [rows_a, cols_a] and of PAIR_B [rows_b, cols_b], into PAIR_SA [cols_a]
// and PAIR_SB [cols_b]; with PAIRS = 2 also those of PAIR_C and PAIR_D, into PAIR_SC and PAIR_SD.
// A layer's gradients end in two such sums, dW's K slices and db's partial sums. Pasted into
// reduce_pair.wgsl (a pass of its own) and siren_mlp_backward.wgsl (its workgroups past the
// product's tiles: earlier layers' sums beside this layer's product, one dispatch fewer).
// The includer declares PAIR_A .. PAIR_D (read), PAIR_SA .. PAIR_SD (storage; those of the second
// pair may be private stubs when PAIRS = 1), a uniform `params` with PAIR_FIELDS (reduce.ts),
// and runs 256 invocations.
// A workgroup: `lanes` adjacent columns (coalesced loads; 32, fewer for a matrix fewer columns
// wide or with long columns), 256 / lanes invocations down each column, then a tree in workgroup
// memory. Groups 0 .. groups_a − 1 sum A, the next ceil(cols_b / lanes_b) B; from first_c on,
// the second pair likewise; any later group none.

const PAIRS: u32 = {{PAIRS}}u;

var<workgroup> pair_parts: array<f32, 256>;

// Matrix m's field (m = 0 .. 3: A .. D).
fn pair_field(m: u32, a: u32, b: u32, c: u32, d: u32) -> u32 {
  return select(select(d, c, m == 2u), select(b, a, m == 0u), m < 2u);
}

fn pair_load(m: u32, i: u32) -> f32 {
  switch m {
    case 0u: { return PAIR_A[i]; }
    case 1u: { return PAIR_B[i]; }
    case 2u: { return PAIR_C[i]; }
    default: { return PAIR_D[i]; }
  }
}

fn pair_store(m: u32, i: u32, value: f32) {
  switch m {
    case 0u: { PAIR_SA[i] = value; }
    case 1u: { PAIR_SB[i] = value; }
    case 2u: { PAIR_SC[i] = value; }
    default: { PAIR_SD[i] = value; }
  }
}

// The work of pair group `group` (uniform across its workgroup), invocation `lid` of 256.
fn pair_sums(group: u32, lid: u32) {
  // the matrix (uniform: the whole workgroup sums the same one) and the group within its pair
  let second = PAIRS > 1u && group >= params.first_c;
  let g = select(group, group - params.first_c, second);
  let groups_first = select(params.groups_a, params.groups_c, second);
  let in_first = g < groups_first; // A (or C), not B (or D)
  let m = select(1u, 0u, in_first) + select(0u, 2u, second);
  let rows = pair_field(m, params.rows_a, params.rows_b, params.rows_c, params.rows_d);
  let cols = pair_field(m, params.cols_a, params.cols_b, params.cols_c, params.cols_d);
  let lanes = max(1u, pair_field(m, params.lanes_a, params.lanes_b, params.lanes_c, params.lanes_d)); // ≥ 1: the tree's loop ends
  let down = 256u / lanes;
  let lane = lid % lanes;
  let col = select(g - groups_first, g, in_first) * lanes + lane;
  var acc = 0.0;
  if (col < cols) {
    for (var r = lid / lanes; r < rows; r += down) {
      acc += pair_load(m, r * cols + col);
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
  pair_store(m, col, pair_parts[lid]);
}

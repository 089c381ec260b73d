// Sums over a leading axis, a pair or two pairs, in one pass (src/ops/reduce.ts, sumLeadingPair and
// runPairSums; the work itself is pair_sums.wgsl): a dispatch costs a few µs on a GPU even when
// it does nothing, so a layer's two last sums share one, and two layers' sums can too.
// bindings: PAIR_A, PAIR_B, [PAIR_C, PAIR_D] (read); PAIR_SA [cols_a], PAIR_SB [cols_b], [PAIR_SC,
//           PAIR_SD] (storage); then params { PAIR_FIELDS } (numbered by the snippets: 0 .. 4 for
//           one pair, 0 .. 8 for two)
// workgroup 256; grid: grid1d(the groups of every matrix, 1)
#include "common.wgsl"

struct Params {
{{PAIR_FIELDS}}
}

{{PAIR_DECLARATIONS}}
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

#include "pair_sums.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  pair_sums(flat_group(wid, nwg), lid);
}

// Two sums over a leading axis in one pass (src/ops/reduce.ts, sumLeadingPair; the work itself is
// pair_sums.wgsl): a dispatch costs a few µs on a GPU even when it does nothing, so a layer's two
// last sums share one.
// bindings: 0 PAIR_A (read); 1 PAIR_B (read); 2 PAIR_SA (storage, [cols_a]); 3 PAIR_SB (storage,
//           [cols_b]); 4 params { rows_a, cols_a, lanes_a, groups_a, rows_b, cols_b, lanes_b }
// workgroup 256; grid: grid1d(groups_a + ceil(cols_b / lanes_b), 1)
#include "common.wgsl"

struct Params { rows_a: u32, cols_a: u32, lanes_a: u32, groups_a: u32, rows_b: u32, cols_b: u32, lanes_b: u32 }

@group(0) @binding(0) var<storage, read> PAIR_A: array<f32>;
@group(0) @binding(1) var<storage, read> PAIR_B: array<f32>;
@group(0) @binding(2) var<storage, read_write> PAIR_SA: array<f32>;
@group(0) @binding(3) var<storage, read_write> PAIR_SB: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

#include "pair_sums.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  pair_sums(flat_group(wid, nwg), lid);
}

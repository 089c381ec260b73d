// A standardisation's statistics, first level (src/ops/standardise.ts): each workgroup takes one
// chunk of one group of x to its moments (count, mean, M2), by Welford's update in each invocation
// and Chan's merge across the workgroup (moments.wgsl). Chunks give a long group many workgroups:
// BatchNorm over 2·128² pixels is 64 groups of 32,768 values. Groups and chunks: group_chunks.wgsl.
// bindings: 0 x (read); 1 partials (storage, vec4 [chunks, groups]: count, mean, M2, 0);
//           2 params { slots, groups, chunk, group_stride, runs, run_length, run_stride }
// Two entry points (slot = chunk · groups + group):
//   main:       a workgroup per chunk, invocations striding over it, then a tree; for GPUs.
//               workgroup 256; grid: grid1d(groups · chunks, 1)
//   per_thread: an invocation per chunk and a serial loop (Welford's update stays accurate over a
//               long one); for SwiftShader (the 'cpu' tuning), where a tree's eight barriers cost
//               more than the loads. workgroup 64; grid: grid1d(groups · chunks, 64)
#include "common.wgsl"
#include "moments.wgsl"
#include "group_chunks.wgsl"

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> shared_moments: array<vec3<f32>, 256>;

fn element(base: u32, t: u32) -> f32 {
  return x[element_at(base, t)];
}

@compute @workgroup_size(64)
fn per_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let slot = flat_index(gid, nwg, 64u);
  if (slot >= params.slots) {
    return;
  }
  let chunk = chunk_range(slot);
  var m = vec3<f32>(0.0);
  for (var t = chunk.y; t < chunk.z; t++) {
    m = moments_add(m, element(chunk.x, t));
  }
  partials[slot] = vec4<f32>(m, 0.0);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let slot = flat_group(wid, nwg);
  if (slot >= params.slots) {
    return; // uniform: the whole workgroup shares its slot
  }
  let chunk = chunk_range(slot);
  var m = vec3<f32>(0.0);
  for (var t = chunk.y + lid; t < chunk.z; t += 256u) {
    m = moments_add(m, element(chunk.x, t));
  }
  shared_moments[lid] = m;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      shared_moments[lid] = moments_merge(shared_moments[lid], shared_moments[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    partials[slot] = vec4<f32>(shared_moments[0], 0.0);
  }
}

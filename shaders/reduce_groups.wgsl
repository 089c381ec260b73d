// Sums of groups of x in chunks (src/ops/reduce.ts, sums over all axes but a middle block: a bias
// gradient over N, H and W in one pass): each chunk of each group to one partial,
// partials [chunks, groups]; their sum over the chunks is the result. Groups and chunks:
// group_chunks.wgsl (a group is the middle block's index; its values are `runs` runs of
// `run_length`, the outer and inner blocks).
// bindings: 0 x (read); 1 partials (storage, [chunks, groups]);
//           2 params { slots, groups, chunk, group_stride, runs, run_length, run_stride }
// Two entry points (slot = chunk · groups + group):
//   main:       a workgroup per chunk, invocations striding over it, then a tree; for GPUs.
//               workgroup 256; grid: grid1d(groups · chunks, 1)
//   per_thread: an invocation per chunk and a serial loop; for SwiftShader (the 'cpu' tuning).
//               workgroup 64; grid: grid1d(groups · chunks, 64)
#include "common.wgsl"
#include "group_chunks.wgsl"

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> shared_sums: array<f32, 256>;

@compute @workgroup_size(64)
fn per_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let slot = flat_index(gid, nwg, 64u);
  if (slot >= params.slots) {
    return;
  }
  let chunk = chunk_range(slot);
  var total = 0.0;
  for (var t = chunk.y; t < chunk.z; t++) {
    total += x[element_at(chunk.x, t)];
  }
  partials[slot] = total;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let slot = flat_group(wid, nwg);
  if (slot >= params.slots) {
    return; // uniform: the whole workgroup shares its slot
  }
  let chunk = chunk_range(slot);
  var total = 0.0;
  for (var t = chunk.y + lid; t < chunk.z; t += 256u) {
    total += x[element_at(chunk.x, t)];
  }
  shared_sums[lid] = total;
  workgroupBarrier();
  for (var step = 128u; step > 0u; step >>= 1u) {
    if (lid < step) {
      shared_sums[lid] += shared_sums[lid + step];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    partials[slot] = shared_sums[0];
  }
}

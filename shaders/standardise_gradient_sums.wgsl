// A standardisation's backward, first level (src/ops/standardise.ts): each workgroup sums one
// chunk of one group of (dy, dy·x̂, x̂), x̂ = (x − mean)/d, into partials [chunks, groups, 4]; their
// sums over the chunks are the shift's and the scale's gradients and the sums the gradient at x
// needs (standardise_backward.wgsl). Groups and chunks: group_chunks.wgsl.
// bindings: 0 x, 1 dy (read); 2 stats (read, vec4 [groups]: mean, 1/d, k, m);
//           3 partials (storage, vec4 [chunks, groups]: Σ dy, Σ dy·x̂, Σ x̂, 0);
//           4 params { slots, groups, chunk, group_stride, runs, run_length, run_stride }
// Entry points main (GPUs) and per_thread (SwiftShader) as in standardise_statistics.wgsl.
#include "common.wgsl"
#include "group_chunks.wgsl"

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> shared_sums: array<vec4<f32>, 256>;

// (dy, dy·x̂, x̂, 0) of element t of the group at base, whose statistics are s
fn terms(base: u32, t: u32, s: vec4<f32>) -> vec4<f32> {
  let at = element_at(base, t);
  let g = dy[at];
  let standardised = (x[at] - s.x) * s.y;
  return vec4<f32>(g, g * standardised, standardised, 0.0);
}

@compute @workgroup_size(64)
fn per_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let slot = flat_index(gid, nwg, 64u);
  if (slot >= params.slots) {
    return;
  }
  let chunk = chunk_range(slot);
  let s = stats[slot % params.groups];
  var sums = vec4<f32>(0.0);
  for (var t = chunk.y; t < chunk.z; t++) {
    sums += terms(chunk.x, t, s);
  }
  partials[slot] = sums;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let slot = flat_group(wid, nwg);
  if (slot >= params.slots) {
    return; // uniform: the whole workgroup shares its slot
  }
  let chunk = chunk_range(slot);
  let s = stats[slot % params.groups];
  var sums = vec4<f32>(0.0);
  for (var t = chunk.y + lid; t < chunk.z; t += 256u) {
    sums += terms(chunk.x, t, s);
  }
  shared_sums[lid] = sums;
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

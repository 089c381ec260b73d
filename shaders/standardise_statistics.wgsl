// A standardisation's statistics, first level (src/ops/standardise.ts): each chunk of each group of
// x to its moments (count, mean, M2), by Welford's update along a loop and Chan's merge across a
// tree (moments.wgsl). Chunks give a long group many workgroups on a GPU: BatchNorm over 2·128²
// pixels is 64 groups of 32,768 values. Groups, chunks and the entry points: group_chunks.wgsl.
// bindings: 0 x (read); 1 partials (storage, vec4 [chunks, groups]: count, mean, M2, 0);
//           2 params { slots, groups, chunk, group_stride, runs, run_length, run_stride }
#include "common.wgsl"
#include "moments.wgsl"

alias Partial = vec3<f32>;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

fn zero() -> Partial {
  return Partial(0.0);
}

fn fold(p: Partial, group: u32, at: u32) -> Partial {
  return moments_add(p, x[at]);
}

fn merge(a: Partial, b: Partial) -> Partial {
  return moments_merge(a, b);
}

fn store(slot: u32, p: Partial) {
  partials[slot] = vec4<f32>(p, 0.0);
}

#include "group_chunks.wgsl"

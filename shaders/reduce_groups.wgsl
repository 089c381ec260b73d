// Sums of groups of x in chunks (src/ops/reduce.ts, sums over all axes but a middle block: a bias
// gradient over N, H and W in one pass): each chunk of each group to one partial,
// partials [chunks, groups]; their sum over the chunks is the result. A group is the middle
// block's index; its values are `runs` runs of `run_length`, the outer and inner blocks.
// Groups, chunks and the entry points: group_chunks.wgsl.
// bindings: 0 x (read); 1 partials (storage, [chunks, groups]);
//           2 params { slots, groups, chunk, group_stride, runs, run_length, run_stride }
#include "common.wgsl"

alias Partial = f32;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn zero() -> Partial {
  return 0.0;
}

fn fold(p: Partial, group: u32, at: u32) -> Partial {
  return p + x[at];
}

fn merge(a: Partial, b: Partial) -> Partial {
  return a + b;
}

fn store(slot: u32, p: Partial) {
  partials[slot] = p;
}

#include "group_chunks.wgsl"

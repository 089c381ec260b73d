// A standardisation's backward, first level (src/ops/standardise.ts): each chunk of each group to
// its sums of (dy, dy·x̂, x̂), x̂ = (x − mean)/d, partials [chunks, groups, 4]; their sums over the
// chunks are the shift's and the scale's gradients and the sums the gradient at x needs
// (standardise_backward.wgsl). Groups, chunks and the entry points: group_chunks.wgsl.
// bindings: 0 x, 1 dy (read); 2 stats (read, vec4 [groups]: mean, 1/d, k, m);
//           3 partials (storage, vec4 [chunks, groups]: Σ dy, Σ dy·x̂, Σ x̂, 0);
//           4 params { slots, groups, chunk, group_stride, runs, run_length, run_stride }
#include "common.wgsl"

alias Partial = vec4<f32>;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

fn zero() -> Partial {
  return Partial(0.0);
}

fn fold(p: Partial, group: u32, at: u32) -> Partial {
  let s = stats[group];
  let g = dy[at];
  let standardised = (x[at] - s.x) * s.y;
  return p + vec4<f32>(g, g * standardised, standardised, 0.0);
}

fn merge(a: Partial, b: Partial) -> Partial {
  return a + b;
}

fn store(slot: u32, p: Partial) {
  partials[slot] = p;
}

#include "group_chunks.wgsl"

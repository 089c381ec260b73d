// Piella's weighted quality index Q of maps a, b and f ([N, 1, H, W], H and W multiples of 8) on
// non-overlapping 8×8 windows (src/ops/qw.ts):
//   Q = Σ_w weight_w·score_w / Σ_w weight_w,   score = λ·Q0(a, f) + (1 − λ)·Q0(b, f)
// One workgroup: its invocations take windows in turn and a tree adds up both sums. A loss has
// hundreds to a few thousand windows, so one dispatch beats a pass per statistic and then sums.
// bindings: 0 a; 1 b; 2 f (read); 3 q (storage, [1]); 4 totals (storage, [2]: the two sums, for
//           the backward); 5 params { windows, H, W }
// workgroup 256; grid: (1, 1)
struct Params { windows: u32, H: u32, W: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> f: array<f32>;
@group(0) @binding(3) var<storage, read_write> q: array<f32>;
@group(0) @binding(4) var<storage, read_write> totals: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

#include "qw_window.wgsl"

var<workgroup> weighted_scores: array<f32, 256>;
var<workgroup> weights: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var weighted_score = 0.0;
  var weight = 0.0;
  for (var k = t; k < params.windows; k += 256u) {
    let w = window_quality(window_stats(k));
    weighted_score += w.weight * (w.lambda * w.qa.value + (1.0 - w.lambda) * w.qb.value);
    weight += w.weight;
  }
  weighted_scores[t] = weighted_score;
  weights[t] = weight;
  for (var half = 128u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (t < half) {
      weighted_scores[t] += weighted_scores[t + half];
      weights[t] += weights[t + half];
    }
  }
  if (t == 0u) {
    totals[0] = weighted_scores[0];
    totals[1] = weights[0];
    q[0] = weighted_scores[0] / weights[0];
  }
}

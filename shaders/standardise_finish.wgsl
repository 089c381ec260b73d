// A standardisation's statistics, second level (src/ops/standardise.ts): an invocation per group
// merges its chunks' moments and writes what the forward and backward passes read,
//   stats[g] = (mean, 1/d, k, m), m the group's count,
// d the denominator and k the factor of the backward's last term (src/reference/norm.ts):
//   EPS_ON_STD = false: d = √(M2/m + eps), k = 1/m                  (biased variance: BatchNorm, InstanceNorm)
//   EPS_ON_STD = true:  d = s + eps, s = √(M2/(m − 1)), k = d/((m − 1)·s), 0 where s = 0
//                                                                   (LDFusion's LayerNorm)
// The variant for BatchNorm in training (src/ops/standardise.ts declares its bindings and update as
// snippets) also moves the running statistics in place toward the batch's mean and unbiased
// variance: r ← (1 − momentum)·r + momentum·batch.
// bindings: 0 partials (read, vec4 [chunks, groups]); 1 stats (storage, vec4 [groups]);
//           BatchNorm's variant: 2 running_mean, 3 running_var (storage, [groups]); then params { groups, chunks, eps, momentum }
// workgroup 64; grid: grid1d(groups, 64)
#include "common.wgsl"
#include "moments.wgsl"

struct Params { groups: u32, chunks: u32, eps: f32, momentum: f32 }

override EPS_ON_STD: bool = false;

@group(0) @binding(0) var<storage, read> partials: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> stats: array<vec4<f32>>;
{{RUNNING_DECLARATIONS}}
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = flat_index(gid, nwg, 64u);
  if (g >= params.groups) {
    return;
  }
  var m = vec3<f32>(0.0);
  for (var c = 0u; c < params.chunks; c++) {
    m = moments_merge(m, partials[c * params.groups + g].xyz);
  }
  let count = m.x;
  var d: f32;
  var k: f32;
  if (EPS_ON_STD) {
    let s = sqrt(m.z / (count - 1.0));
    d = s + params.eps;
    k = select(0.0, d / ((count - 1.0) * s), s > 0.0);
  } else {
    d = sqrt(m.z / count + params.eps);
    k = 1.0 / count;
  }
  stats[g] = vec4<f32>(m.y, 1.0 / d, k, count);
{{RUNNING_UPDATE}}
}

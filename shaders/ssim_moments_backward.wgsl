// Backward of ssim_moments.wgsl: from the gradient of the stacked maps d = [da, db, da², db², dab],
//   grad_a = d_a + 2a·d_a² + b·d_ab,  grad_b = d_b + 2b·d_b² + a·d_ab
// bindings: 0 d (read, [N, 5·C, H, W]); 1 a, 2 b (read, [N, C, H, W]); 3 grad_a, 4 grad_b (storage);
//           5 params { n (= N·C·H·W), sample (= C·H·W) }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "ssim_stack.wgsl"

struct Params { n: u32, sample: u32 }

@group(0) @binding(0) var<storage, read> d: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_a: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_b: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let at = stacked_at(i);
  let va = a[i];
  let vb = b[i];
  let d_ab = d[at + 4u * params.sample];
  grad_a[i] = d[at] + 2.0 * va * d[at + 2u * params.sample] + vb * d_ab;
  grad_b[i] = d[at + params.sample] + 2.0 * vb * d[at + 3u * params.sample] + va * d_ab;
}

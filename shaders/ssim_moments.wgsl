// The five maps an SSIM loss blurs (src/ops/ssim.ts), stacked as channels so that one pair of
// convolutions serves all: for each sample, [a, b, a², b², a·b], each [C, H, W].
//   a, b: [N, C, H, W]; stacked: [N, 5·C, H, W]
// bindings: 0 a, 1 b (read); 2 stacked (storage); 3 params { n (= N·C·H·W), sample (= C·H·W) }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"
#include "ssim_stack.wgsl"

struct Params { n: u32, sample: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> stacked: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let at = stacked_at(i);
  let va = a[i];
  let vb = b[i];
  stacked[at] = va;
  stacked[at + params.sample] = vb;
  stacked[at + 2u * params.sample] = va * va;
  stacked[at + 3u * params.sample] = vb * vb;
  stacked[at + 4u * params.sample] = va * vb;
}

// One SGD step with momentum for one parameter tensor (torch.optim.SGD, dampening 0):
//   g' = g + weight_decay·p;  buf = momentum·buf + g' (buf = g' on the first step);  p -= lr·buf
// bindings: 0 g (read); 1 p (storage); 2 buf (storage);
//           3 params { n, lr, momentum, weight_decay, first_step }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params { n: u32, lr: f32, momentum: f32, weight_decay: f32, first_step: u32 }

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let g = grad[i] + params.weight_decay * param[i];
  var b = g;
  if (params.first_step == 0u) {
    b = params.momentum * buf[i] + g;
  }
  buf[i] = b;
  param[i] = param[i] - params.lr * b;
}

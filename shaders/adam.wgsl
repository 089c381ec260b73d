// One Adam step for up to three parameter tensors in one pass (PyTorch's torch.optim.Adam):
//   g' = g + weight_decay·p
//   m = β1·m + (1−β1)·g'        v = β2·v + (1−β2)·g'²
//   p -= (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps)      bc = 1 − β^t (bias corrections)
// Three tensors, not one: a dispatch has a cost of its own, and SIREN's five layers have ten
// tensors, half of them 256-element biases. Three is what 8 storage bindings (WebGPU's default
// limit) allow with the moments of all tensors in two buffers, m and v.
// Each slot starts at a workgroup boundary, so that a workgroup takes one branch: invocation
// i < start2 updates element i of slot 1, start2 ≤ i < start3 element i − start2 of slot 2, and
// the rest element i − start3 of slot 3. An unused slot has n = 0.
// bindings: 0..2 g1..g3 (read); 3..5 p1..p3 (storage); 6 m, 7 v (storage: the moments of many
//           tensors, slot k's from offset_k); 8 params
// (1 − β and the bias corrections are formed on the host in float64: 1 − 0.999 in float32 is
// off by 1e-5 relative, which would bias every update.)
// workgroup 256; grid: grid1d(start3 + n3, 256)
#include "common.wgsl"

struct Params {
  n1: u32, n2: u32, n3: u32, start2: u32, start3: u32, offset1: u32, offset2: u32, offset3: u32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, bc1: f32, bc2: f32,
  one_minus_beta1: f32, one_minus_beta2: f32,
}

@group(0) @binding(0) var<storage, read> g1: array<f32>;
@group(0) @binding(1) var<storage, read> g2: array<f32>;
@group(0) @binding(2) var<storage, read> g3: array<f32>;
@group(0) @binding(3) var<storage, read_write> p1: array<f32>;
@group(0) @binding(4) var<storage, read_write> p2: array<f32>;
@group(0) @binding(5) var<storage, read_write> p3: array<f32>;
@group(0) @binding(6) var<storage, read_write> m: array<f32>;
@group(0) @binding(7) var<storage, read_write> v: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

// Updates the moments at index s of m and v and returns the new parameter value.
fn adam(p: f32, grad: f32, s: u32) -> f32 {
  let g = grad + params.weight_decay * p;
  let m_new = params.beta1 * m[s] + params.one_minus_beta1 * g;
  let v_new = params.beta2 * v[s] + params.one_minus_beta2 * g * g;
  m[s] = m_new;
  v[s] = v_new;
  let denom = sqrt(v_new) / sqrt(params.bc2) + params.eps;
  return p - (params.lr / params.bc1) * m_new / denom;
}

// Slots in use, 3 or 1: SwiftShader runs a branch's code even where no invocation takes it, which
// made a 3-slot pass twice as slow per element there; as a constant the other slots compile away.
override SLOTS: u32 = 3u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.start2) {
    if (i < params.n1) {
      p1[i] = adam(p1[i], g1[i], params.offset1 + i);
    }
  } else if (SLOTS >= 2u && i < params.start3) {
    let j = i - params.start2;
    if (j < params.n2) {
      p2[j] = adam(p2[j], g2[j], params.offset2 + j);
    }
  } else if (SLOTS >= 3u) {
    let j = i - params.start3;
    if (j < params.n3) {
      p3[j] = adam(p3[j], g3[j], params.offset3 + j);
    }
  }
}

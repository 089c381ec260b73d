// Fused SIREN layer forward for outputs a few columns wide (a SIREN's last layer: N = 1), on
// GPUs: Z = X·Wᵀ + b, Y = sin(ω·Z) (or Y = Z when LINEAR), as sine_linear.wgsl computes it. There
// a thread owned 4 rows and walked K alone: each load a different row, 4 KiB apart, 256 loads
// deep (70 µs for the 128² layer on an H100). Here 32 threads share a row: their 16-byte loads
// are adjacent, each thread's loop is K/128 deep, and a workgroup tree sums the 32 partial dots.
//   X: [M, K] as vec4s (K a multiple of 4); W: [N, K] (PyTorch layout, N ≤ 4) as vec4s; b: [N]
//   Y, Z: [M, N]
// bindings: 0 X (read); 1 W (read); 2 b (read); 3 Y (storage); 4 Z (storage, unused unless STORE_Z);
//           5 params { M, N, K4 (= K / 4), omega }
// workgroup (LANES, ROWS): a row per 32 threads; grid: ceil(M / ROWS) workgroups, folded into 2-D

struct Params { M: u32, N: u32, K4: u32, omega: f32 }

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
@group(0) @binding(4) var<storage, read_write> Z: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

override LINEAR: bool = false;
override STORE_Z: bool = true;

#include "sine_linear_store.wgsl"

const LANES: u32 = 32u;
const ROWS: u32 = 8u;

// one partial dot per output column (N ≤ 4) for each thread
var<workgroup> partial: array<vec4<f32>, 256>;

@compute @workgroup_size(32, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = (wid.y * groups.x + wid.x) * ROWS + lid.y;
  var acc = vec4<f32>(0.0);
  if (row < params.M) {
    for (var k = lid.x; k < params.K4; k += LANES) {
      let x = X[row * params.K4 + k];
      for (var n = 0u; n < params.N; n++) {
        acc[n] += dot(x, W[n * params.K4 + k]);
      }
    }
  }
  let slot = lid.y * LANES + lid.x;
  partial[slot] = acc;
  for (var half = LANES / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid.x < half) {
      partial[slot] += partial[slot + half];
    }
  }
  if (lid.x != 0u || row >= params.M) {
    return;
  }
  let total = partial[slot];
  for (var n = 0u; n < params.N; n++) {
    store_output(row * params.N + n, total[n] + bias[n]);
  }
}

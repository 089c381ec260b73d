// Batched matmul C[b] = op(A[b]) · op(B[b]) (inner loop: matmul_core.wgsl, or
// matmul_core_vec4.wgsl when the shape allows 16-byte loads).
//   A: [batch, M, K] (or [batch, K, M] when TRANS_A); B: [batch, K, N] (or [batch, N, K] when TRANS_B)
//   C: [batch, M, N]; a_batch_stride / b_batch_stride are 0 for an operand shared by all batches
// bindings: 0 A (read); 1 B (read); 2 C (storage); 3 params { M, N, K, a_batch_stride, b_batch_stride }
// workgroup (16, 16), 4×4 outputs per invocation; grid: (ceil(N / 64), ceil(M / 64), batch)

struct Params { M: u32, N: u32, K: u32, a_batch_stride: u32, b_batch_stride: u32 }

@group(0) @binding(0) var<storage, read> A: array<{{OPERAND}}>; // f32, or vec4<f32> for the vec4 core
@group(0) @binding(1) var<storage, read> B: array<{{OPERAND}}>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

#include "{{CORE}}"

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wid.y * 16u + lid.y) * 4u;
  let col0 = (wid.x * 16u + lid.x) * 4u;
  if (row0 >= params.M || col0 >= params.N) {
    return;
  }
  let block = matmul_block(wid.z * params.a_batch_stride, wid.z * params.b_batch_stride, row0, col0);
  let c_base = wid.z * params.M * params.N;
  for (var i = 0u; i < 4u && row0 + i < params.M; i++) {
    for (var j = 0u; j < 4u && col0 + j < params.N; j++) {
      C[c_base + (row0 + i) * params.N + col0 + j] = block[i][j];
    }
  }
}

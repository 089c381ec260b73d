// Batched matmul C[b] = op(A[b]) · op(B[b]), register-blocked: each invocation computes a
// 4×4 block of C from global memory (no shared memory: barriers are expensive on SwiftShader
// and this form is within reach of the shared-memory one on discrete GPUs — see bench/).
//   A: [batch, M, K] row-major, or [batch, K, M] when TRANS_A
//   B: [batch, K, N] row-major, or [batch, N, K] when TRANS_B
//   C: [batch, M, N]; a_batch_stride / b_batch_stride are 0 for an operand shared by all batches
// bindings: 0 A (read); 1 B (read); 2 C (storage); 3 params { M, N, K, a_batch_stride, b_batch_stride }
// workgroup (16, 16); grid: (ceil(N / 64), ceil(M / 64), batch)

struct Params { M: u32, N: u32, K: u32, a_batch_stride: u32, b_batch_stride: u32 }

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// Loads clamp their row/column into range, so the K loop has no branches; the stores of the
// clamped (duplicate) rows and columns are dropped at the end.
fn load_a(base: u32, m: u32, k: u32) -> f32 {
  if (TRANS_A) {
    return A[base + k * params.M + m];
  }
  return A[base + m * params.K + k];
}

fn load_b(base: u32, k: u32, n: u32) -> vec4<f32> {
  if (TRANS_B) {
    let row = base + k;
    return vec4<f32>(B[row + n * params.K], B[row + min(n + 1u, params.N - 1u) * params.K],
                     B[row + min(n + 2u, params.N - 1u) * params.K], B[row + min(n + 3u, params.N - 1u) * params.K]);
  }
  let row = base + k * params.N;
  return vec4<f32>(B[row + n], B[row + min(n + 1u, params.N - 1u)],
                   B[row + min(n + 2u, params.N - 1u)], B[row + min(n + 3u, params.N - 1u)]);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wid.y * 16u + lid.y) * 4u;
  let col0 = (wid.x * 16u + lid.x) * 4u;
  if (row0 >= params.M || col0 >= params.N) {
    return;
  }
  let a_base = wid.z * params.a_batch_stride;
  let b_base = wid.z * params.b_batch_stride;
  let last_row = params.M - 1u;
  let r1 = min(row0 + 1u, last_row);
  let r2 = min(row0 + 2u, last_row);
  let r3 = min(row0 + 3u, last_row);
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var k = 0u; k < params.K; k++) {
    let b = load_b(b_base, k, col0);
    c0 += load_a(a_base, row0, k) * b;
    c1 += load_a(a_base, r1, k) * b;
    c2 += load_a(a_base, r2, k) * b;
    c3 += load_a(a_base, r3, k) * b;
  }
  let c_base = wid.z * params.M * params.N;
  let rows = array<vec4<f32>, 4>(c0, c1, c2, c3);
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    if (r >= params.M) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      if (col0 + j < params.N) {
        C[c_base + r * params.N + col0 + j] = rows[i][j];
      }
    }
  }
}

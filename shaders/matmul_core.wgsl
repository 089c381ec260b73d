// The register-blocked matmul inner loop, shared by matmul.wgsl and sine_linear.wgsl.
// The including kernel declares the operands `A` and `B` (read-only f32 arrays) and a uniform
// `params` with fields M, N, K. Each invocation computes a 4×4 block of op(A)·op(B) straight
// from global memory: no shared memory, because barriers are expensive on SwiftShader (see bench/).
//   op(A) is A [M, K] row-major, or A stored [K, M] when TRANS_A
//   op(B) is B [K, N] row-major, or B stored [N, K] when TRANS_B

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// Loads clamp rows/columns into range, so the K loop has no branches; results of the clamped
// (duplicate) rows and columns are dropped by the caller's bounds check.
fn load_a(base: u32, m: u32, k: u32) -> f32 {
  if (TRANS_A) {
    return A[base + k * params.M + m];
  }
  return A[base + m * params.K + k];
}

fn load_b(base: u32, k: u32, n: u32) -> vec4<f32> {
  let last = params.N - 1u;
  let n1 = min(n + 1u, last);
  let n2 = min(n + 2u, last);
  let n3 = min(n + 3u, last);
  if (TRANS_B) {
    return vec4<f32>(B[base + n * params.K + k], B[base + n1 * params.K + k],
                     B[base + n2 * params.K + k], B[base + n3 * params.K + k]);
  }
  let row = base + k * params.N;
  return vec4<f32>(B[row + n], B[row + n1], B[row + n2], B[row + n3]);
}

// Rows row0..row0+3, columns col0..col0+3 of op(A)·op(B) (row0 < M and col0 < N), summed over
// k in [k0, k1): the whole of K, or one split-K slice.
fn matmul_block(a_base: u32, b_base: u32, row0: u32, col0: u32, k0: u32, k1: u32) -> array<vec4<f32>, 4> {
  let last_row = params.M - 1u;
  let r1 = min(row0 + 1u, last_row);
  let r2 = min(row0 + 2u, last_row);
  let r3 = min(row0 + 3u, last_row);
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var k = k0; k < k1; k++) {
    let b = load_b(b_base, k, col0);
    c0 += load_a(a_base, row0, k) * b;
    c1 += load_a(a_base, r1, k) * b;
    c2 += load_a(a_base, r2, k) * b;
    c3 += load_a(a_base, r3, k) * b;
  }
  return array<vec4<f32>, 4>(c0, c1, c2, c3);
}

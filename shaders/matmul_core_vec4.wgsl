// The vec4 form of matmul_core.wgsl, for shapes where every row of every operand is a whole
// number of vec4s (K % 4 == 0, N % 4 == 0, and M % 4 == 0 when TRANS_A): 16-byte loads and
// 4×4 blocks of k per iteration (4× fewer loads than the scalar form; see bench/matmul).
// The including kernel declares `A` and `B` as array<vec4<f32>> and `params` { M, N, K }.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// Rows row0..row0+3 of op(A), columns k..k+3, as four vec4s over k (one per row).
fn a_rows(base: u32, row0: u32, k: u32) -> mat4x4<f32> {
  if (TRANS_A) {
    // A stored [K, M]: each load is 4 consecutive rows at one k; transpose to rows over k.
    let m4 = params.M / 4u;
    let r4 = (base + row0) / 4u;
    return transpose(mat4x4<f32>(A[r4 + k * m4], A[r4 + (k + 1u) * m4], A[r4 + (k + 2u) * m4], A[r4 + (k + 3u) * m4]));
  }
  let last = params.M - 1u;
  let k4 = params.K / 4u;
  let b4 = base / 4u + k / 4u;
  return mat4x4<f32>(A[b4 + row0 * k4], A[b4 + min(row0 + 1u, last) * k4],
                     A[b4 + min(row0 + 2u, last) * k4], A[b4 + min(row0 + 3u, last) * k4]);
}

fn matmul_block(a_base: u32, b_base: u32, row0: u32, col0: u32) -> array<vec4<f32>, 4> {
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  let n4 = params.N / 4u;
  let k4 = params.K / 4u;
  for (var k = 0u; k < params.K; k += 4u) {
    let a = a_rows(a_base, row0, k);
    if (TRANS_B) {
      // B stored [N, K]: columns col0..col0+3 as vec4s over k; c_i[j] = dot(a_i, b_j).
      let b4 = b_base / 4u + k / 4u;
      let b = mat4x4<f32>(B[b4 + col0 * k4], B[b4 + (col0 + 1u) * k4], B[b4 + (col0 + 2u) * k4], B[b4 + (col0 + 3u) * k4]);
      c0 += a[0] * b;
      c1 += a[1] * b;
      c2 += a[2] * b;
      c3 += a[3] * b;
    } else {
      // B rows k..k+3 as vec4s over columns; c_i += Σ_k a_i[k]·b_k.
      let b4 = b_base / 4u + col0 / 4u;
      let b = mat4x4<f32>(B[b4 + k * n4], B[b4 + (k + 1u) * n4], B[b4 + (k + 2u) * n4], B[b4 + (k + 3u) * n4]);
      c0 += b * a[0];
      c1 += b * a[1];
      c2 += b * a[2];
      c3 += b * a[3];
    }
  }
  return array<vec4<f32>, 4>(c0, c1, c2, c3);
}

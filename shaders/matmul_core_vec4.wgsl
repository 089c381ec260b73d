// The vec4 form of matmul_core.wgsl, for shapes where every row of every operand is a whole
// number of vec4s (K % 4 == 0, N % 4 == 0, and M % 4 == 0 when TRANS_A): 16-byte loads, 4 k per
// iteration, and flat loops with their offsets hoisted — SwiftShader's JIT does little
// optimisation of its own, so the form of the source is the form of the machine code.
// The including kernel declares `A` and `B` as array<vec4<f32>> and `params` { M, N, K }.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

fn matmul_block(a_base: u32, b_base: u32, row0: u32, col0: u32) -> array<vec4<f32>, 4> {
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  let n4 = params.N / 4u;
  let k4 = params.K / 4u;
  let m4 = params.M / 4u;
  let last = params.M - 1u;
  // Row offsets of op(A) (rows past M are clamped; their results are not stored).
  let ra0 = a_base / 4u + row0 * k4;
  let ra1 = a_base / 4u + min(row0 + 1u, last) * k4;
  let ra2 = a_base / 4u + min(row0 + 2u, last) * k4;
  let ra3 = a_base / 4u + min(row0 + 3u, last) * k4;
  let ta = a_base / 4u + row0 / 4u; // TRANS_A: A[k] rows hold 4 consecutive m per vec4
  let rb = b_base / 4u + col0 / 4u; // B[k, col0..col0+3]
  let tb = b_base / 4u + col0 * k4; // TRANS_B: B[col0 + j, k..k+3]
  for (var kk = 0u; kk < k4; kk++) {
    if (TRANS_B) {
      // columns of op(B) as vec4s over k: c_i[j] = dot(a_i, b_j)
      let b0 = B[tb + kk];
      let b1 = B[tb + k4 + kk];
      let b2 = B[tb + 2u * k4 + kk];
      let b3 = B[tb + 3u * k4 + kk];
      var a0: vec4<f32>;
      var a1: vec4<f32>;
      var a2: vec4<f32>;
      var a3: vec4<f32>;
      if (TRANS_A) {
        let t = transpose(mat4x4<f32>(A[ta + 4u * kk * m4], A[ta + (4u * kk + 1u) * m4], A[ta + (4u * kk + 2u) * m4], A[ta + (4u * kk + 3u) * m4]));
        a0 = t[0]; a1 = t[1]; a2 = t[2]; a3 = t[3];
      } else {
        a0 = A[ra0 + kk]; a1 = A[ra1 + kk]; a2 = A[ra2 + kk]; a3 = A[ra3 + kk];
      }
      c0 += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
      c1 += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
      c2 += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
      c3 += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
    } else {
      // rows k..k+3 of B as vec4s over columns: c_i += Σ_k a_i[k]·b_k
      let bk = rb + 4u * kk * n4;
      let b0 = B[bk];
      let b1 = B[bk + n4];
      let b2 = B[bk + 2u * n4];
      let b3 = B[bk + 3u * n4];
      if (TRANS_A) {
        // A stored [K, M]: at_k holds op(A)[row0..row0+3, k]
        let at0 = A[ta + 4u * kk * m4];
        let at1 = A[ta + (4u * kk + 1u) * m4];
        let at2 = A[ta + (4u * kk + 2u) * m4];
        let at3 = A[ta + (4u * kk + 3u) * m4];
        c0 += at0.x * b0 + at1.x * b1 + at2.x * b2 + at3.x * b3;
        c1 += at0.y * b0 + at1.y * b1 + at2.y * b2 + at3.y * b3;
        c2 += at0.z * b0 + at1.z * b1 + at2.z * b2 + at3.z * b3;
        c3 += at0.w * b0 + at1.w * b1 + at2.w * b2 + at3.w * b3;
      } else {
        let a0 = A[ra0 + kk];
        let a1 = A[ra1 + kk];
        let a2 = A[ra2 + kk];
        let a3 = A[ra3 + kk];
        c0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
        c1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
        c2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
        c3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
      }
    }
  }
  return array<vec4<f32>, 4>(c0, c1, c2, c3);
}

// The 4 adjacent outputs of invocation i of the short SIREN layer (sine_linear_short.wgsl): row
// i / N4, columns 4·(i % N4) .. +3, from its K ≤ 4 inputs; invocations past M·N4 do nothing.
// Shared with siren_mlp_forward.wgsl, which runs the layer beside other work. The including
// kernel declares X, W, bias, Y, Z and params { M, N4, K, omega } as sine_linear_short.wgsl does.

override LINEAR: bool = false;
override STORE_Z: bool = true;

fn short_outputs(i: u32) {
  if (i >= params.M * params.N4) {
    return;
  }
  let row = i / params.N4;
  let column4 = i % params.N4;
  let n = column4 * 4u;
  let K = params.K;
  var z = bias[column4];
  for (var k = 0u; k < K; k++) {
    z += X[row * K + k] * vec4<f32>(W[n * K + k], W[(n + 1u) * K + k], W[(n + 2u) * K + k], W[(n + 3u) * K + k]);
  }
  if (LINEAR) {
    Y[i] = z;
  } else {
    if (STORE_Z) {
      Z[i] = z;
    }
    Y[i] = sin(params.omega * z);
  }
}

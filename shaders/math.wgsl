// Numerically safe scalar functions shared by the element-wise kernels.

// tanh through exp(-2|x|): the builtin returns NaN for large |x| on some drivers.
fn safe_tanh(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

// The logistic function without overflow for either sign of x.
fn safe_sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

// A private variable, not a constant: WGSL rejects NaN in constant expressions.
var<private> nan_bits: u32 = 0x7fc00000u;

// x^p with the real-valued meaning for negative x and integer p (WGSL's pow is undefined for x < 0).
fn real_pow(x: f32, p: f32) -> f32 {
  if (p == 0.0) {
    return 1.0;
  }
  let r = pow(abs(x), p);
  if (x >= 0.0) {
    return r;
  }
  if (fract(p) != 0.0) {
    return bitcast<f32>(nan_bits); // NaN, as in float64 Math.pow
  }
  if (fract(p * 0.5) == 0.0) {
    return r;
  }
  return -r;
}

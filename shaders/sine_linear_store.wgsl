// The SIREN layer's epilogue, shared by sine_linear.wgsl and sine_linear_narrow.wgsl, which
// declare Y, Z, params (with omega) and the LINEAR and STORE_Z overrides: Y = z for the linear
// layer, else Y = sin(ω·z), with z kept in Z for the backward unless this is inference.
fn store_output(at: u32, z: f32) {
  if (LINEAR) {
    Y[at] = z;
    return;
  }
  if (STORE_Z) {
    Z[at] = z;
  }
  Y[at] = sin(params.omega * z);
}

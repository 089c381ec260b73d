// Where pixel i of a, b [N, C, H, W] is in the stack of five maps [N, 5·C, H, W] (ssim_moments.wgsl
// and the kernels after it, which declare `params` with `sample` = C·H·W): map k is at the result
// plus k·sample.
fn stacked_at(i: u32) -> u32 {
  return (i / params.sample) * 5u * params.sample + i % params.sample;
}

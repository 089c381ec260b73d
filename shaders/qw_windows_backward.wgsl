// Gradient of qw_windows.wgsl in f: with W = Σ weights, window w's share of Q is
// weight_w·score_w / W, and its statistics' derivatives go to its pixels:
//   dμf/df_i = 1/64,  dσf/df_i = 2(f_i − μf)/63,  dσxf/df_i = (x_i − μx)/63
// (the terms through μf sum to zero over the window). a and b are targets: no gradient.
// bindings: 0 a; 1 b; 2 f (read); 3 g (read, [1]: dL/dQ); 4 totals (read, the forward's);
//           5 df (storage, f's shape); 6 params { windows, H, W }
// workgroup 64, one invocation per window; grid: grid1d(windows, 64)
#include "common.wgsl"

struct Params { windows: u32, H: u32, W: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> f: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> totals: array<f32>;
@group(0) @binding(5) var<storage, read_write> df: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

#include "qw_window.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flat_index(gid, nwg, 64u);
  if (k >= params.windows) {
    return;
  }
  let s = window_stats(k);
  let w = window_quality(s);
  let share = g[0] * w.weight / totals[1];
  let d_mean_f = share * (w.lambda * w.qa.d_mean_f + (1.0 - w.lambda) * w.qb.d_mean_f) / WINDOW_PIXELS;
  let d_var_f = share * (w.lambda * w.qa.d_var_f + (1.0 - w.lambda) * w.qb.d_var_f) * 2.0 / (WINDOW_PIXELS - 1.0);
  let d_cov_a = share * w.lambda * w.qa.d_cov / (WINDOW_PIXELS - 1.0);
  let d_cov_b = share * (1.0 - w.lambda) * w.qb.d_cov / (WINDOW_PIXELS - 1.0);
  for (var i = 0u; i < 64u; i++) {
    let p = window_pixel(k, i);
    df[p] = d_mean_f + d_var_f * (f[p] - s.mf) + d_cov_a * (a[p] - s.ma) + d_cov_b * (b[p] - s.mb);
  }
}

// One 8×8 window of Piella's weighted quality index (src/ops/qw.ts), shared by qw_windows.wgsl
// and qw_windows_backward.wgsl: where a window's pixels are, its statistics, and Q0 with its
// derivatives in f's statistics. The including kernel declares `a`, `b`, `f` ([N, 1, H, W]) and
// a uniform `params` with windows (= N·H/8·W/8), H and W. Formulas as src/reference/qw.ts.

const WINDOW: u32 = 8u;
const WINDOW_PIXELS: f32 = 64.0;
const EPS: f32 = 1e-8;

// The flat index of pixel i (row-major within the window) of window k, windows row-major per image.
fn window_pixel(k: u32, i: u32) -> u32 {
  let across = params.W / WINDOW;
  let per_image = (params.H / WINDOW) * across;
  let n = k / per_image;
  let r = k % per_image;
  let y = (r / across) * WINDOW + i / WINDOW;
  let x = (r % across) * WINDOW + i % WINDOW;
  return (n * params.H + y) * params.W + x;
}

// Means, then (co)variances from centred products over 63 (unbiased, as the authors): never
// negative, so every denominator below is at least ε.
struct WindowStats { ma: f32, mb: f32, mf: f32, va: f32, vb: f32, vf: f32, caf: f32, cbf: f32 }

fn window_stats(k: u32) -> WindowStats {
  var sa = 0.0;
  var sb = 0.0;
  var sf = 0.0;
  for (var i = 0u; i < 64u; i++) {
    let p = window_pixel(k, i);
    sa += a[p];
    sb += b[p];
    sf += f[p];
  }
  var s = WindowStats(sa / WINDOW_PIXELS, sb / WINDOW_PIXELS, sf / WINDOW_PIXELS, 0.0, 0.0, 0.0, 0.0, 0.0);
  for (var i = 0u; i < 64u; i++) {
    let p = window_pixel(k, i);
    let da = a[p] - s.ma;
    let db = b[p] - s.mb;
    let df = f[p] - s.mf;
    s.va += da * da;
    s.vb += db * db;
    s.vf += df * df;
    s.caf += da * df;
    s.cbf += db * df;
  }
  let n1 = WINDOW_PIXELS - 1.0;
  return WindowStats(s.ma, s.mb, s.mf, s.va / n1, s.vb / n1, s.vf / n1, s.caf / n1, s.cbf / n1);
}

// Q0(x, f) = σxf/(sx·sf + ε) · 2μxμf/(μx² + μf² + ε) · 2sx·sf/(σx + σf + ε), s = √(σ + ε),
// and its derivatives in μf, σf and σxf.
struct Q0 { value: f32, d_mean_f: f32, d_var_f: f32, d_cov: f32 }

fn q0(mx: f32, vx: f32, mf: f32, vf: f32, cxf: f32) -> Q0 {
  let sx = sqrt(vx + EPS);
  let sf = sqrt(vf + EPS);
  let corr_den = sx * sf + EPS;
  let corr = cxf / corr_den;
  let lum_den = mx * mx + mf * mf + EPS;
  let lum = 2.0 * mx * mf / lum_den;
  let con_den = vx + vf + EPS;
  let con = 2.0 * sx * sf / con_den;
  let d_sf = 1.0 / (2.0 * sf); // d sf / d σf
  let d_corr_var_f = -cxf * sx * d_sf / (corr_den * corr_den);
  let d_lum_mean_f = (2.0 * mx - 2.0 * lum * mf) / lum_den;
  let d_con_var_f = (2.0 * sx * d_sf - con) / con_den;
  return Q0(corr * lum * con, corr * con * d_lum_mean_f, lum * (d_corr_var_f * con + corr * d_con_var_f), lum * con / corr_den);
}

// The window's weight max(σa, σb), λ = σa/(σa + σb + ε), and its Q0 against a and against b.
struct WindowQuality { weight: f32, lambda: f32, qa: Q0, qb: Q0 }

fn window_quality(s: WindowStats) -> WindowQuality {
  return WindowQuality(max(s.va, s.vb), s.va / (s.va + s.vb + EPS), q0(s.ma, s.va, s.mf, s.vf, s.caf), q0(s.mb, s.vb, s.mf, s.vf, s.cbf));
}

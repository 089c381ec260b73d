// The Sobel stencil at one pixel, shared by sobel.wgsl and fidelity.wgsl. The including shader
// declares `sobel_in: array<f32>` (images of H×W pixels) and a uniform `params` with fields H, W
// and mode (see border.wgsl), and includes border.wgsl before this file.

// sobel_in at an already border-resolved (row, column); -1 is zero padding.
fn sobel_pixel(base: u32, r: i32, c: i32) -> f32 {
  if (r < 0 || c < 0) {
    return 0.0;
  }
  return sobel_in[base + u32(r) * params.W + u32(c)];
}

// Unscaled (d/dx, d/dy) at pixel (r, c) of the image that starts at `base`: cross-correlation with
// [[-1,0,1],[-2,0,2],[-1,0,1]] and its transpose.
// The 3×3 neighbourhood's rows r0 r1 r2 and columns c0 c1 c2 are resolved through the border once
// per pixel (not once per tap): border_index's branches and modulos cost far more than the loads
// on a CPU adapter, and interior pixels skip it altogether.
fn sobel_at(base: u32, r: i32, c: i32) -> vec2<f32> {
  let h = i32(params.H);
  let w = i32(params.W);
  var r0 = r - 1;
  var r2 = r + 1;
  var c0 = c - 1;
  var c2 = c + 1;
  if (r0 < 0 || r2 >= h || c0 < 0 || c2 >= w) {
    r0 = border_index(r0, h, params.mode);
    r2 = border_index(r2, h, params.mode);
    c0 = border_index(c0, w, params.mode);
    c2 = border_index(c2, w, params.mode);
  }
  let p00 = sobel_pixel(base, r0, c0);
  let p01 = sobel_pixel(base, r0, c);
  let p02 = sobel_pixel(base, r0, c2);
  let p10 = sobel_pixel(base, r, c0);
  let p12 = sobel_pixel(base, r, c2);
  let p20 = sobel_pixel(base, r2, c0);
  let p21 = sobel_pixel(base, r2, c);
  let p22 = sobel_pixel(base, r2, c2);
  let gx = (p02 - p00) + 2.0 * (p12 - p10) + (p22 - p20);
  let gy = (p20 - p00) + 2.0 * (p21 - p01) + (p22 - p02);
  return vec2<f32>(gx, gy);
}

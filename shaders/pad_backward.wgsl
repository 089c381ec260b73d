// Gradient of pad: dx[b, r, c] = Σ dy over the padded positions that read x[b, r, c].
// Gather form (no atomics): position r + top always reads r; a pad position reads r only if r
// lies within `top` of the first row or `bottom` of the last (every border rule maps the pad
// band there), so only those pixels scan the bands.
// bindings: 0 dy [B, Hp, Wp] (read); 1 dx [B, H, W] (storage); 2 params (as pad.wgsl)
// workgroup 256, one invocation per element of dx; grid: grid1d(B·H·W, 256)
#include "common.wgsl"
#include "border.wgsl"

struct Params { B: u32, H: u32, W: u32, mode: u32, top: u32, bottom: u32, left: u32, right: u32 }

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

// k-th padded position along an axis that may read source index `i`: k = 0 is the interior
// copy; 1 … before scan the leading band; the rest the trailing band. Returns −1 when it does not.
fn candidate(k: u32, i: u32, n: u32, before: u32, after: u32) -> i32 {
  var o: u32;
  if (k == 0u) {
    return i32(i + before);
  } else if (k <= before) {
    o = k - 1u;
  } else {
    o = n + before + (k - 1u - before);
  }
  if (border_index(i32(o) - i32(before), i32(n), params.mode) == i32(i)) {
    return i32(o);
  }
  return -1;
}

// How many candidates to scan: only pixels near an edge can be read from a band.
fn candidates(i: u32, n: u32, before: u32, after: u32) -> u32 {
  if (i > before && i + after + 1u < n) {
    return 1u;
  }
  return 1u + before + after;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  let plane = params.H * params.W;
  if (i >= params.B * plane) {
    return;
  }
  let b = i / plane;
  let r = (i % plane) / params.W;
  let c = i % params.W;
  let Hp = params.H + params.top + params.bottom;
  let Wp = params.W + params.left + params.right;
  var sum = 0.0;
  for (var ky = 0u; ky < candidates(r, params.H, params.top, params.bottom); ky++) {
    let orow = candidate(ky, r, params.H, params.top, params.bottom);
    if (orow < 0) {
      continue;
    }
    for (var kx = 0u; kx < candidates(c, params.W, params.left, params.right); kx++) {
      let ocol = candidate(kx, c, params.W, params.left, params.right);
      if (ocol >= 0) {
        sum += dy[(b * Hp + u32(orow)) * Wp + u32(ocol)];
      }
    }
  }
  dx[i] = sum;
}

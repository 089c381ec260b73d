// Mean losses over d = a − b (d = a when not WITH_B), fused: mse = mean(d²), l1 = mean(|d|).
// {{TERM}} and {{SLOPE}} are the loss of one d and its derivative (src/ops/loss.ts).
//   partial:  y[c] = scale · Σ term(a[i] − b[i]) over i = c, c + P, c + 2P, ... (P = partials);
//             the first level of the mean, read coalesced; the engine's sum adds the partials.
//             grid: grid1d(P, 256)
//   gradient: da[i] = g[0] · scale · slope(a[i] − b[i]); db[i] = −da[i] when WITH_DB.
//             grid: grid1d(n, 256)
// bindings (one layout for both): 0 a (read); 1 b (read; a again when not WITH_B);
//           2 g (read; partial binds a there);
//           3 out (storage: y or da); 4 db (storage, gradient with WITH_DB only);
//           5 params { n, partials, scale }
#include "common.wgsl"

struct Params { n: u32, partials: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

override WITH_B: bool = true;
override WITH_DB: bool = false;

fn difference(i: u32) -> f32 {
  if (WITH_B) {
    return a[i] - b[i];
  }
  return a[i];
}

fn term(d: f32) -> f32 {
  return {{TERM}};
}

fn slope(d: f32) -> f32 {
  return {{SLOPE}};
}

@compute @workgroup_size(256)
fn partial(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = flat_index(gid, nwg, 256u);
  if (c >= params.partials) {
    return;
  }
  var acc = 0.0;
  for (var i = c; i < params.n; i += params.partials) {
    acc += term(difference(i));
  }
  out[c] = acc * params.scale;
}

@compute @workgroup_size(256)
fn gradient(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let da = g[0] * params.scale * slope(difference(i));
  out[i] = da;
  if (WITH_DB) {
    db[i] = -da;
  }
}

// Reduction of the middle axis of x viewed as [outer, r, inner] -> y [outer, inner].
// {{COMBINE}} is 'sum', 'max' or 'min'. For max/min, idx gets the position along r of the first
// element that attains the extreme (ties go to the lower index), which the backward scatters to.
// bindings: 0 x (read); 1 y (storage, f32[outer*inner]); 2 idx (storage, u32 bits in f32 slots,
//           written for max/min only); 3 params { outputs, r, inner }
// Three entry points:
//   main:       one workgroup of 256 per output (threads stride over r, then a tree in shared
//               memory); for few outputs with long r (a loss). grid: grid1d(outputs, 1)
//   per_thread: one invocation per output, a serial loop over r; for many outputs (bias
//               gradients, per-channel sums), where a workgroup per output would leave most
//               threads idle and pay a barrier tree per output. grid: grid1d(outputs, 256)
//   per_chunk:  sums only: the first level of a two-level sum; y [outer, ceil(r / chunk), inner]
//               holds the sums of runs of `chunk` along r, and per_thread (CPU adapters: no
//               barriers), main (GPUs, rows split for parallelism) or per_chunk again (GPUs, many
//               outputs: short runs, level after level) then sums those. One serial float32 loop
//               over a long row loses precision (InstanceNorm over 160 k pixels was off by 5e-2);
//               runs of 256 do not.
//               grid: grid1d(outer · ceil(r / chunk) · inner, 256)
#include "common.wgsl"

struct Params { outputs: u32, r: u32, inner: u32, chunk: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> idx: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const KIND: u32 = {{COMBINE}}u; // 0 sum, 1 max, 2 min

var<workgroup> part_value: array<f32, 256>;
var<workgroup> part_index: array<u32, 256>;

// true when (v, i) should replace (best, bi)
fn better(v: f32, i: u32, best: f32, bi: u32) -> bool {
  if (KIND == 1u) {
    return v > best || (v == best && i < bi);
  }
  return v < best || (v == best && i < bi);
}

// Folds element v at position j into the running (sum) or (extreme, its position).
fn accumulate(acc: ptr<function, f32>, acc_index: ptr<function, u32>, v: f32, j: u32) {
  if (KIND == 0u) {
    *acc += v;
  } else if (*acc_index == 0xffffffffu || better(v, j, *acc, *acc_index)) {
    *acc = v;
    *acc_index = j;
  }
}

@compute @workgroup_size(256)
fn per_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flat_index(gid, nwg, 256u);
  if (o >= params.outputs) {
    return;
  }
  let base = (o / params.inner) * params.r * params.inner + o % params.inner;
  var acc = 0.0;
  var acc_index = 0xffffffffu;
  for (var j = 0u; j < params.r; j++) {
    accumulate(&acc, &acc_index, x[base + j * params.inner], j);
  }
  y[o] = acc;
  if (KIND != 0u) {
    idx[o] = acc_index;
  }
}

@compute @workgroup_size(256)
fn per_chunk(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat_index(gid, nwg, 256u);
  if (t >= params.outputs) {
    return;
  }
  let chunks = (params.r + params.chunk - 1u) / params.chunk;
  let inner_i = t % params.inner;
  let k = (t / params.inner) % chunks;
  let outer_i = t / (params.inner * chunks);
  let base = outer_i * params.r * params.inner + inner_i;
  let end = min(params.r, (k + 1u) * params.chunk);
  var acc = 0.0;
  for (var j = k * params.chunk; j < end; j++) {
    acc += x[base + j * params.inner];
  }
  y[t] = acc;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flat_group(wid, nwg);
  if (o >= params.outputs) {
    return; // uniform: the whole workgroup shares o
  }
  let base = (o / params.inner) * params.r * params.inner + o % params.inner;
  var acc = 0.0;
  var acc_index = 0xffffffffu; // "no element yet": the first one seen always wins
  for (var j = lid; j < params.r; j += 256u) {
    accumulate(&acc, &acc_index, x[base + j * params.inner], j);
  }
  part_value[lid] = acc;
  part_index[lid] = acc_index;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let v = part_value[lid + s];
      let i = part_index[lid + s];
      if (KIND == 0u) {
        part_value[lid] += v;
      } else if (i != 0xffffffffu && (part_index[lid] == 0xffffffffu || better(v, i, part_value[lid], part_index[lid]))) {
        part_value[lid] = v;
        part_index[lid] = i;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    y[o] = part_value[0];
    if (KIND != 0u) {
      idx[o] = part_index[0];
    }
  }
}

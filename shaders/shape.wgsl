// Strided copy: out[out_offset + Σ c_d·out_strides[d]] = in[in_offset + Σ c_d·in_strides[d]]
// for every coordinate c of `shape`. One kernel serves permute (permuted in_strides), slice
// (in_offset), the slice gradient and concat (out_offset/out_strides into a larger tensor),
// and broadcasting (in_strides of 0). The view is collapsed to its fewest axes and the INDEX
// snippet is the index arithmetic written out for that rank (src/ops/index_codegen.ts).
// bindings: 0 in (read); 1 out (storage);
//           2 params { n, rank, in_offset, out_offset, shape[8], in_strides[8], out_strides[8] }
// workgroup 256; grid: grid1d(n, 256)
#include "common.wgsl"

struct Params {
  n: u32,
  rank: u32,
  in_offset: u32,
  out_offset: u32,
  shape: array<vec4<u32>, 2>,
  in_strides: array<vec4<u32>, 2>,
  out_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  var si = params.in_offset;
  var di = params.out_offset;
{{INDEX}}
  dst[di] = src[si];
}

// Groups of a tensor's values cut in chunks (src/ops/group_chunks.ts), shared by the kernels that
// fold each chunk to a partial (standardise_statistics.wgsl, standardise_gradient_sums.wgsl,
// reduce_groups.wgsl), which declare `params: Params`.
// Element t (t < runs·run_length) of group g is at g·group_stride + (t / run_length)·run_stride + t % run_length:
//   a channel over N, H, W (BatchNorm, a bias gradient): group_stride H·W, N runs of H·W, run_stride C·H·W
//   a plane (InstanceNorm, AdaIN):       group_stride H·W, one run of H·W
//   a sample (LDFusion's LayerNorm):     group_stride C·H·W, one run of C·H·W
// Slot s = chunk · groups + group takes that group's t in [chunk·chunk_size, (chunk + 1)·chunk_size).

struct Params { slots: u32, groups: u32, chunk: u32, group_stride: u32, runs: u32, run_length: u32, run_stride: u32 }

// The chunk of a slot: its group's first element, and the chunk's range of t.
fn chunk_range(slot: u32) -> vec3<u32> {
  let begin = (slot / params.groups) * params.chunk;
  return vec3<u32>((slot % params.groups) * params.group_stride, begin, min(begin + params.chunk, params.runs * params.run_length));
}

// Where element t of the group at `base` is.
fn element_at(base: u32, t: u32) -> u32 {
  return base + (t / params.run_length) * params.run_stride + t % params.run_length;
}

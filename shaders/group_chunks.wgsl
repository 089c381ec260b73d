// Groups of a tensor's values cut in chunks (src/ops/group_chunks.ts), and the entry points of the
// kernels that fold each chunk to a partial (standardise_statistics.wgsl,
// standardise_gradient_sums.wgsl, reduce_groups.wgsl), which declare `params: Params` and what the
// entry points call (below).
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

// The two entry points, for a kernel that folds each chunk to one `Partial` (an alias it declares)
// and defines:
//   fn zero() -> Partial;                                  the fold of no values
//   fn fold(p: Partial, group: u32, at: u32) -> Partial;   p with the value at x index `at` added
//   fn merge(a: Partial, b: Partial) -> Partial;           two folds joined
//   fn store(slot: u32, p: Partial);                       the chunk's result, written
//   per_thread: an invocation per chunk and a serial loop; for SwiftShader (the 'cpu' tuning),
//               where a tree's eight barriers cost more than the loads.
//               workgroup 64; grid: grid1d(groups · chunks, 64)
//   main:       a workgroup per chunk, invocations striding over it, then a tree; for GPUs.
//               workgroup 256; grid: grid1d(groups · chunks, 1)

var<workgroup> shared_partials: array<Partial, 256>;

@compute @workgroup_size(64)
fn per_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let slot = flat_index(gid, nwg, 64u);
  if (slot >= params.slots) {
    return;
  }
  let chunk = chunk_range(slot);
  let group = slot % params.groups;
  var p = zero();
  for (var t = chunk.y; t < chunk.z; t++) {
    p = fold(p, group, element_at(chunk.x, t));
  }
  store(slot, p);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let slot = flat_group(wid, nwg);
  if (slot >= params.slots) {
    return; // uniform: the whole workgroup shares its slot
  }
  let chunk = chunk_range(slot);
  let group = slot % params.groups;
  var p = zero();
  for (var t = chunk.y + lid; t < chunk.z; t += 256u) {
    p = fold(p, group, element_at(chunk.x, t));
  }
  shared_partials[lid] = p;
  workgroupBarrier();
  for (var step = 128u; step > 0u; step >>= 1u) {
    if (lid < step) {
      shared_partials[lid] = merge(shared_partials[lid], shared_partials[lid + step]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    store(slot, shared_partials[0]);
  }
}

// K sliced across a workgroup (CUTLASS calls it "sliced-K"), for products too small to fill a GPU:
// the invocations at local z = s sum their register block over the s-th part of the K range, then
// slice 0 adds the other slices' blocks from workgroup memory and stores. It gives an output tile
// more invocations without the partial planes and second pass of split-K across workgroups.
// Shared by matmul.wgsl and sine_linear.wgsl, which declare WG_X, WG_Y, K_SLICES, BLOCK_ROWS and
// BLOCK_COLS, and call sum_slices with every invocation of the workgroup (it has a barrier).

const BLOCK_VEC4S: u32 = BLOCK_ROWS * BLOCK_COLS / 4u;
const TILE_THREADS: u32 = WG_X * WG_Y;

// The blocks of slices 1.. (slice 0 keeps its own in registers): vec4 v of the block of thread t
// in slice s at ((s − 1)·BLOCK_VEC4S + v)·TILE_THREADS + t, so adjacent invocations write
// adjacent vec4s. One unused vec4 when K_SLICES = 1 (an array cannot be empty).
var<workgroup> slice_blocks: array<vec4<f32>, max(1u, (K_SLICES - 1u) * BLOCK_VEC4S * TILE_THREADS)>;

// [k0, k1) of slice s of [k_begin, k_end): equal parts in whole vec4s (the vec4 core loads 4 k at
// a time), the last part short or empty. With K_SLICES = 1, the whole range.
fn slice_range(k_begin: u32, k_end: u32, s: u32) -> vec2<u32> {
  let part = (k_end - k_begin + 4u * K_SLICES - 1u) / (4u * K_SLICES) * 4u;
  let k0 = min(k_begin + s * part, k_end);
  return vec2<u32>(k0, min(k0 + part, k_end));
}

// The block summed over the workgroup's K slices, for the invocations of slice 0 (the others get
// their own block back, and store nothing).
fn sum_slices(block: array<vec4<f32>, BLOCK_VEC4S>, lid: vec3<u32>) -> array<vec4<f32>, BLOCK_VEC4S> {
  let t = lid.y * WG_X + lid.x;
  if (lid.z > 0u) {
    for (var v = 0u; v < BLOCK_VEC4S; v++) {
      slice_blocks[((lid.z - 1u) * BLOCK_VEC4S + v) * TILE_THREADS + t] = block[v];
    }
  }
  workgroupBarrier();
  var total = block;
  if (lid.z == 0u) {
    for (var s = 1u; s < K_SLICES; s++) {
      for (var v = 0u; v < BLOCK_VEC4S; v++) {
        total[v] += slice_blocks[((s - 1u) * BLOCK_VEC4S + v) * TILE_THREADS + t];
      }
    }
  }
  return total;
}

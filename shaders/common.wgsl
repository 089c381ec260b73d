// Shared helpers, pasted into kernels with #include "common.wgsl".

// Flat index of an invocation in 1-D work that Runtime.grid1d folded into a 2-D grid of
// workgroups (grids over maxComputeWorkgroupsPerDimension = 65535 fail validation).
fn flat_index(gid: vec3<u32>, nwg: vec3<u32>, workgroup_size: u32) -> u32 {
  return gid.x + gid.y * nwg.x * workgroup_size;
}

// Flat index of a workgroup in a folded 2-D grid (kernels with one workgroup per output).
fn flat_group(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Moments of a set of values as (count, mean, M2), M2 the sum of squared deviations from the mean:
// Welford's update adds one value, Chan's merge joins two sets. Both stay accurate in float32
// where a sum of squares minus a squared sum cancels (a mean far from zero, a long group).
// Included by standardise_statistics.wgsl and standardise_finish.wgsl.

fn moments_add(m: vec3<f32>, v: f32) -> vec3<f32> {
  let count = m.x + 1.0;
  let delta = v - m.y;
  let mean = m.y + delta / count;
  return vec3<f32>(count, mean, m.z + delta * (v - mean));
}

fn moments_merge(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> {
  let count = a.x + b.x;
  if (count == 0.0) {
    return a;
  }
  let delta = b.y - a.y;
  let share = b.x / count;
  return vec3<f32>(count, a.y + delta * share, a.z + b.z + delta * delta * a.x * share);
}

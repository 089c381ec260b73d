/**
 * mulberry32: a tiny, well-mixed 32-bit PRNG returning values in [0, 1). The one seeded source
 * of randomness (weights, the sample image, test data): the same seed gives the same numbers
 * in Node, Chrome, the tests and the peer benchmarks (../shared/peers/common.mjs uses it too).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

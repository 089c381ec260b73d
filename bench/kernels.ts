/**
 * Bench-only WGSL: the kernels that measure the adapter's ceilings (roofline.ts). They are not
 * engine kernels: they assume friendly shapes (M, N multiples of the tile, K a multiple of 4)
 * and skip every bounds check, to find out what the adapter can do at best.
 * Kept as TypeScript strings so the Chrome bundle needs no file loader.
 */

export interface MatmulVariant {
  /** name in the report, e.g. "mm_a4 4x4 wg16x16" */
  name: string;
  /** output rows per invocation */
  rows: number;
  /** output vec4 columns per invocation (columns = 4 × colVec4s) */
  colVec4s: number;
  workgroup: [number, number];
  /** what the variant tries, for the report */
  idea: string;
  /** also run in quick mode (the best on SwiftShader so far) */
  quick?: boolean;
}

/** Output tile of one workgroup: [rows, columns]. */
export function matmulTile(v: MatmulVariant): [number, number] {
  return [v.rows * v.workgroup[1], 4 * v.colVec4s * v.workgroup[0]];
}

/**
 * C[M, N] = A[M, K] · B[K, N], all row-major fp32. Register-blocked, no workgroup memory and no
 * barriers (barriers are expensive on SwiftShader: peers measured the shared-memory tiled form
 * 1.5-2× slower there). A is bound as vec4 rows, so each row costs one 16-byte load per 4 k (the
 * peers' "mm_reg_a4" idea); each invocation keeps rows × colVec4s vec4 accumulators. The k-loop
 * body is unrolled in the generated text, so that every `a.x/.y/.z/.w` is a constant swizzle.
 *   bindings: 0 A (read, vec4[M·K/4]); 1 B (read, vec4[K·N/4]); 2 C (storage, vec4[M·N/4]);
 *             3 uniform { M, N, K }
 *   workgroup (wx, wy); grid (N / (4·colVec4s·wx), M / (rows·wy))
 */
export function matmulWgsl(v: MatmulVariant): string {
  const lines: string[] = [];
  const acc = (r: number, c: number): string => `acc_${r}_${c}`;
  for (let r = 0; r < v.rows; r++) for (let c = 0; c < v.colVec4s; c++) lines.push(`  var ${acc(r, c)} = vec4<f32>(0.0);`);
  const body: string[] = [];
  for (let r = 0; r < v.rows; r++) body.push(`    let a${r} = A[(row0 + ${r}u) * K4 + k4];`);
  const lanes = ['x', 'y', 'z', 'w'];
  for (let kk = 0; kk < 4; kk++) {
    for (let c = 0; c < v.colVec4s; c++) body.push(`    let b${kk}_${c} = B[(k4 * 4u + ${kk}u) * N4 + col0 + ${c}u];`);
  }
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < v.colVec4s; c++) {
      const terms = [0, 1, 2, 3].map((kk) => `a${r}.${lanes[kk]} * b${kk}_${c}`).join(' + ');
      body.push(`    ${acc(r, c)} = ${acc(r, c)} + ${terms};`);
    }
  }
  const stores: string[] = [];
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < v.colVec4s; c++) stores.push(`  C[(row0 + ${r}u) * N4 + col0 + ${c}u] = ${acc(r, c)};`);
  }
  return `// bench ${v.name}: ${v.idea}
struct Dims { M: u32, N: u32, K: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> d: Dims;

@compute @workgroup_size(${v.workgroup[0]}, ${v.workgroup[1]})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col0 = gid.x * ${v.colVec4s}u;
  let row0 = gid.y * ${v.rows}u;
  let N4 = d.N / 4u;
  let K4 = d.K / 4u;
${lines.join('\n')}
  for (var k4 = 0u; k4 < K4; k4++) {
${body.join('\n')}
  }
${stores.join('\n')}
}
`;
}

// On SwiftShader a workgroup runs on one CPU thread, 4 invocations per SIMD lane group, so larger
// register blocks (more FMAs per load, fewer invocations to schedule) win: in round-robin trials
// at 1024³ 16×16 per invocation ran 2-2.5× faster than the 4×4 of the peers and the engine. On a real
// GPU such blocks would spill registers and starve occupancy: this is a per-adapter choice.
export const MATMUL_VARIANTS: MatmulVariant[] = [
  { name: 'mm_a4 4x4 wg16x16', rows: 4, colVec4s: 1, workgroup: [16, 16], idea: "the peers' mm_reg_a4: 4×4 per invocation, A as vec4" },
  { name: 'mm_a4 4x8 wg8x16', rows: 4, colVec4s: 2, workgroup: [8, 16], idea: "the peers' mm_reg_4x8: 12 vec4 loads per 32 vec4 FMAs" },
  { name: 'mm_a4 8x16 wg4x4', rows: 8, colVec4s: 4, workgroup: [4, 4], idea: '8×16 per invocation, 16-invocation workgroups (32×64 tile)' },
  { name: 'mm_a4 16x16 wg4x4', rows: 16, colVec4s: 4, workgroup: [4, 4], idea: '16×16 per invocation: 32 vec4 loads per 256 vec4 FMAs (64×64 tile)', quick: true },
  { name: 'mm_a4 32x16 wg4x2', rows: 32, colVec4s: 4, workgroup: [4, 2], idea: '32×16 per invocation, 8-invocation workgroups (64×64 tile)' },
];

/** One vec4 per invocation. bindings: 0 src (read, vec4[n]); 1 dst (storage, vec4[n]); workgroup 256; grid folded 2-D. */
export const COPY_WGSL = `// bench copy: one vec4 per invocation
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i < arrayLength(&src)) {
    dst[i] = src[i];
  }
}
`;

/** 16 consecutive vec4 (256 bytes) per invocation; same bindings; workgroup 64; grid folded 2-D. */
export const COPY16_WGSL = `// bench copy16: 16 consecutive vec4 per invocation
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = (gid.x + gid.y * nwg.x * 64u) * 16u;
  let n = arrayLength(&src);
  for (var j = 0u; j < 16u; j++) {
    if (first + j < n) {
      dst[first + j] = src[first + j];
    }
  }
}
`;

/** The smallest useful dispatch: one invocation copies one float. bindings: 0 src (read); 1 dst (storage). */
export const TINY_WGSL = `// bench tiny: dispatch overhead
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(1)
fn main() {
  dst[0] = src[0] + 1.0;
}
`;

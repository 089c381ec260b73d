/**
 * Flat-index arithmetic for kernels that walk an n-D view (binary broadcasting, strided copies),
 * specialised per pipeline: the view is first collapsed to the fewest axes, then the code that
 * turns a flat index into each operand's offset is written out for that rank, reading sizes and
 * strides from params at constant positions. On SwiftShader a generic loop over a uniform rank,
 * with two integer divisions per axis, cost 3–5× the memory traffic it served.
 */

/**
 * The fewest axes that address the same elements for every stride list: size-1 axes dropped and
 * neighbours merged where each list steps through them as one (stride[d] = stride[d + 1]·size[d + 1],
 * stride 0 included). [1, 64, 32, 32] with strides [0, 1024, 32, 1] and [0, 1, 0, 0] becomes
 * [64, 1024] with [1024, 1] and [1, 0].
 */
export function collapseAxes(shape: readonly number[], strideLists: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const out = { shape: [] as number[], strides: strideLists.map(() => [] as number[]) };
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = out.shape.length - 1;
    if (last >= 0 && strideLists.every((s, k) => out.strides[k][last] === s[d] * size)) {
      out.shape[last] *= size;
      strideLists.forEach((s, k) => { out.strides[k][last] = s[d]; });
    } else {
      out.shape.push(size);
      strideLists.forEach((s, k) => out.strides[k].push(s[d]));
    }
  });
  if (out.shape.length === 0) return { shape: [1], strides: strideLists.map(() => [0]) };
  return out;
}

/**
 * WGSL that adds to each `variables[k]` (declared `var` before it) its offset for the flat index
 * `i` over `rank` axes, with sizes in params.<shapeField> and strides in params.<strideFields[k]>
 * (arrays of vec4<u32>): coordinates from the last axis up, each a quotient and a remainder by
 * multiplication, so one division per axis and none for the outermost (what is left).
 */
export function flatIndexCode(rank: number, shapeField: string, variables: string[], strideFields: string[]): string {
  const at = (field: string, d: number) => `params.${field}[${d >> 2}][${d & 3}]`;
  const add = (coordinate: string, d: number) => variables.map((v, k) => `  ${v} += ${coordinate} * ${at(strideFields[k], d)};`);
  const lines = ['  var rem = i;'];
  for (let d = rank - 1; d > 0; d--) {
    lines.push(`  let q${d} = rem / ${at(shapeField, d)};`, `  let c${d} = rem - q${d} * ${at(shapeField, d)};`, ...add(`c${d}`, d), `  rem = q${d};`);
  }
  lines.push(...add('rem', 0));
  return lines.join('\n');
}

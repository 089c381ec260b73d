/**
 * Pixel-centre coordinates of an H×W grid, as SIREN uses them: linspace(−1, 1, n) per axis,
 * both ends included, so pixel (r, c) of any grid maps to the same continuous field:
 * x = −1 + 2c/(W−1) along columns, y = −1 + 2r/(H−1) along rows (0 for a 1-pixel axis).
 * Row-major order, (x, y) per point — the layout of ../shared/peers/common.mjs.
 */
export function gridCoordinates(height: number, width: number, rowStart = 0, rowEnd = height): Float32Array {
  const out = new Float32Array((rowEnd - rowStart) * width * 2);
  let k = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const y = height > 1 ? -1 + (2 * r) / (height - 1) : 0;
    for (let c = 0; c < width; c++) {
      out[k++] = width > 1 ? -1 + (2 * c) / (width - 1) : 0;
      out[k++] = y;
    }
  }
  return out;
}

/**
 * Training data for the CNN fusion models: aligned IR/visible pairs from a folder with `ir/`
 * and `vi/` subfolders of equally named images (RoadScene's layout, ../shared/data/roadscene),
 * read as grey planes in [0, 1] (PIL 'L' weights for colour), and random aligned crops of them.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FusegradError } from '../errors.ts';
import { toGrey } from '../io/colour.ts';
import { readImageFile } from '../io/files.ts';

export interface GreyPair {
  name: string;
  width: number;
  height: number;
  ir: Float32Array;
  vis: Float32Array;
}

/**
 * Which pairs: every tenth file name (sorted) is held out of training so that tests and
 * evaluations can fuse pairs the weights never saw.
 */
export type PairSubset = 'train' | 'held-out' | 'all';

const inSubset = (index: number, subset: PairSubset): boolean =>
  subset === 'all' || (index % 10 === 0) === (subset === 'held-out');

/** The pairs of `subset` whose IR and visible images have the same size. */
export async function loadPairs(dir: string, subset: PairSubset = 'all'): Promise<GreyPair[]> {
  let names: string[];
  try {
    names = (await readdir(join(dir, 'ir'))).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort();
  } catch {
    throw new FusegradError(`${dir}: expected a folder with ir/ and vi/ subfolders of equally named images`);
  }
  const pairs: GreyPair[] = [];
  for (const [index, name] of names.entries()) {
    if (!inSubset(index, subset)) continue;
    const ir = toGrey(await readImageFile(join(dir, 'ir', name)));
    const vis = toGrey(await readImageFile(join(dir, 'vi', name)));
    if (ir.width !== vis.width || ir.height !== vis.height) continue; // training needs aligned pixels
    pairs.push({ name, width: ir.width, height: ir.height, ir: ir.data, vis: vis.data });
  }
  if (pairs.length === 0) throw new FusegradError(`${dir}: no aligned IR/visible pairs found`);
  return pairs;
}

/** A batch [batch, 1, crop, crop] of aligned random crops: { ir, vis } as flat arrays. */
export function randomCrops(pairs: GreyPair[], batch: number, crop: number, random: () => number): { ir: Float32Array; vis: Float32Array } {
  const plane = crop * crop;
  const ir = new Float32Array(batch * plane);
  const vis = new Float32Array(batch * plane);
  for (let b = 0; b < batch; b++) {
    const pair = pairs[Math.floor(random() * pairs.length)];
    if (pair.width < crop || pair.height < crop) throw new FusegradError(`${pair.name} is smaller than the ${crop}×${crop} crop`);
    const x0 = Math.floor(random() * (pair.width - crop + 1));
    const y0 = Math.floor(random() * (pair.height - crop + 1));
    for (let y = 0; y < crop; y++) {
      const from = (y0 + y) * pair.width + x0;
      ir.set(pair.ir.subarray(from, from + crop), b * plane + y * crop);
      vis.set(pair.vis.subarray(from, from + crop), b * plane + y * crop);
    }
  }
  return { ir, vis };
}

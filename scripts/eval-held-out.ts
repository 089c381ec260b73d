/**
 * Judges a CNN's weights on the held-out pairs (every tenth pair, never trained on): EN, SD and SF
 * of each fused image against those of the plain average of its inputs.
 *
 *   npx tsx scripts/eval-held-out.ts --model didfuse|encdec|ldlite|ldfusion [--weights F ...]
 *       [--data ../shared/data/roadscene] [--crop 320x256] [--limit N] [--json]
 *
 * --crop takes the centred window of each pair (SwiftShader needs minutes for whole images);
 * --weights defaults to weights/<model>.safetensors; --limit N takes the first N held-out pairs.
 * Prints one line per pair and the count of pairs where the fused image beats the average on all three.
 */
import { existsSync, readFileSync } from 'node:fs';
import { numberFlag, parseArgs, sizeFlag } from '../src/cli/args.ts';
import { FusegradError } from '../src/errors.ts';
import { fuseLumaWithCnn, MODELS, type ModelName } from '../src/fusion/pipeline.ts';
import { readSafetensors } from '../src/io/safetensors.ts';
import { centreCrop, compareWithAverage, describeComparison, type HeldOutResult } from '../src/training/held-out.ts';
import { loadPairs } from '../src/training/pairs.ts';
import { runGpuScript } from './lib/run-script.ts';

/** Flags and weights files: checked before the GPU comes up. */
function setup() {
  const args = parseArgs(process.argv.slice(2), { values: ['model', 'weights', 'data', 'crop', 'limit'], booleans: ['json'] });
  const model = String(args.flags.get('model') ?? 'didfuse') as ModelName;
  if (!MODELS.includes(model) || model === 'inr') throw new FusegradError(`--model must be one of ${MODELS.filter((m) => m !== 'inr').join(', ')}`);
  const paths = args.all.get('weights') ?? [`weights/${model}.safetensors`];
  for (const path of paths) if (!existsSync(path)) throw new FusegradError(`${path}: no such weights file`);
  const files = paths.map((path) => ({ tensors: readSafetensors(new Uint8Array(readFileSync(path)), path).tensors, name: path }));
  return {
    model, paths, files,
    crop: sizeFlag(args, 'crop'),
    limit: numberFlag(args, 'limit', (v) => Number.isInteger(v) && v > 0, 'a positive integer') ?? Infinity,
    data: String(args.flags.get('data') ?? '../shared/data/roadscene'),
    json: args.flags.has('json'),
  };
}

runGpuScript('eval-held-out', setup, async ({ model, paths, files, crop, limit, data, json }) => {
  const pairs = (await loadPairs(data, 'held-out')).slice(0, limit);
  const results: HeldOutResult[] = [];
  for (const pair of pairs) {
    const input = crop ? centreCrop(pair, crop.width, crop.height) : pair;
    const result = await compareWithAverage(input, (ir, vis, width, height) => fuseLumaWithCnn(model, { width, height, data: ir }, { data: vis }, files, {}));
    results.push(result);
    if (!json) console.log(`${result.beatsAverage ? 'beats ' : 'misses'} ${describeComparison(result)}`);
  }
  const wins = results.filter((r) => r.beatsAverage).length;
  if (json) console.log(JSON.stringify({ model, weights: paths, crop, results, wins }));
  else console.log(`${model} (${paths.join(', ')}): fused beats the average on EN, SD and SF in ${wins} of ${results.length} held-out pairs`);
});

/**
 * Converts a PyTorch checkpoint (torch.save, torch >= 1.6) to a float32 safetensors file that
 * fusegrad loads, without PyTorch and without running the pickle's code.
 *   npx tsx scripts/convert-pt.ts IN.pt OUT.safetensors [--prefix P] [--force]
 * Exit status: 0 written, 2 a problem with the input or arguments (message, no stack), 1 a bug.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { FusegradError } from '../src/errors.ts';
import { cleanupTempFiles, readFileBytes, writeFileAtomic } from '../src/io/files.ts';
import { convertTorchCheckpoint } from '../src/io/torch-checkpoint.ts';

const USAGE = `usage: npx tsx scripts/convert-pt.ts IN.pt OUT.safetensors [--prefix P] [--force]

Reads a PyTorch checkpoint (a state_dict saved with torch.save; a dict wrapping one under
'state_dict', 'model', 'net', 'weight' or 'weights' works too; nested dicts are flattened with '.')
and writes its floating-point tensors (F32, F16, BF16, F64) as F32 safetensors. Integer and bool
tensors (e.g. BatchNorm's num_batches_tracked) are dropped with a note: fusegrad reads float
weights only. Only tensor data is read: a file that names any other Python object is refused.

  --prefix P   prepend P to every tensor name (e.g. --prefix encoder.)
  --force      overwrite OUT if it exists`;

interface Args {
  input: string;
  output: string;
  prefix: string;
  force: boolean;
}

function parseArgs(argv: string[]): Args | 'help' {
  const positional: string[] = [];
  let prefix = '';
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--force') force = true;
    else if (a === '--prefix' || a.startsWith('--prefix=')) {
      const value = a === '--prefix' ? argv[++i] : a.slice('--prefix='.length);
      if (value === undefined) throw new FusegradError('--prefix needs a value, e.g. --prefix encoder.');
      prefix = value;
    } else if (a.startsWith('-') && a !== '-') throw new FusegradError(`unknown option '${a}'; see --help`);
    else positional.push(a);
  }
  if (positional.length !== 2) throw new FusegradError(`expected IN.pt and OUT.safetensors, got ${positional.length} paths; see --help`);
  return { input: positional[0], output: positional[1], prefix, force };
}

/** Runs the converter; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args === 'help') {
      console.log(USAGE);
      return 0;
    }
    // Fail before the (possibly long) conversion; writeFileAtomic checks again at the end.
    if (!args.force && existsSync(args.output)) throw new FusegradError(`${args.output}: already exists; pass --force to overwrite it`);
    const bytes = await readFileBytes(args.input);
    const result = convertTorchCheckpoint(bytes, args.input, {
      prefix: args.prefix,
      metadata: { format: 'pt', source: basename(args.input) },
    });
    const width = Math.min(60, result.written.reduce((w, t) => Math.max(w, t.name.length), 0));
    for (const t of result.written) {
      const dtype = t.dtype === 'F32' ? 'F32' : `${t.dtype}->F32`;
      console.log(`  ${t.name.padEnd(width)}  ${dtype.padEnd(9)}  [${t.shape.join(', ')}]`);
    }
    for (const note of result.notes) console.log(`note: ${note}`);
    const parameters = result.written.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    await writeFileAtomic(args.output, result.safetensors, { force: args.force });
    console.log(`${result.written.length} tensors, ${parameters.toLocaleString('en-US')} parameters (F32) -> ${args.output}`);
    return 0;
  } catch (err) {
    cleanupTempFiles();
    if (err instanceof FusegradError) {
      console.error(`convert-pt: error: ${err.message}`);
      return err.exitCode;
    }
    console.error(err); // not a user mistake: a bug, shown with its stack
    return 1;
  }
}

if (process.argv[1] && /convert-pt\.(ts|js|mjs)$/.test(process.argv[1])) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      cleanupTempFiles();
      process.stderr.write('\nconvert-pt: interrupted; no output written\n');
      process.exit(130);
    });
  }
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

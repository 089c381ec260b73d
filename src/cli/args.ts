/** A small strict argument parser: unknown flags and missing values are user errors. */
import { FusegradError } from '../errors.ts';

export interface FlagSpec {
  /** flags that take a value (`--steps 300` or `--steps=300`); short aliases map to long names */
  values: string[];
  booleans: string[];
  aliases?: Record<string, string>;
}

export interface ParsedArgs {
  positional: string[];
  /** the last value of each flag (what most flags want) */
  flags: Map<string, string | true>;
  /** every value of each value flag, in order (for repeatable flags such as --weights) */
  all: Map<string, string[]>;
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const [rawName, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    const name = spec.aliases?.[rawName] ?? rawName;
    if (spec.booleans.includes(name)) {
      if (inline !== undefined) throw new FusegradError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new FusegradError(`--${name} needs a value`);
      flags.set(name, value);
      all.set(name, [...(all.get(name) ?? []), value]);
    } else {
      throw new FusegradError(`unknown option ${arg}; see \`fusegrad --help\``);
    }
  }
  return { positional, flags, all };
}

export function numberFlag(args: ParsedArgs, name: string, check: (v: number) => boolean, what: string): number | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === true || !Number.isFinite(value) || !check(value)) throw new FusegradError(`--${name} must be ${what}, got '${raw}'`);
  return value;
}

/** "640x480" → { width, height } */
export function sizeFlag(args: ParsedArgs, name: string): { width: number; height: number } | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? /^(\d+)[x×](\d+)$/.exec(raw) : null;
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new FusegradError(`--${name} must look like 640x480, got '${raw}'`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

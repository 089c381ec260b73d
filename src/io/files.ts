/**
 * File-system side of src/io: Node only (the CLI imports it; browser code must not).
 * Errors a user can fix become FusegradErrors that name the path and say what to do.
 */
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { FusegradError } from '../errors.ts';
import { decodeImage } from './decode.ts';
import type { DecodedImage, DecodeOptions } from './decode.ts';

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Reads a file whole, turning the usual errno failures into FusegradErrors. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    switch (errnoCode(err)) {
      case 'ENOENT': throw new FusegradError(`${path}: no such file; check the path`);
      case 'EISDIR': throw new FusegradError(`${path}: is a folder, not an image file; name a file inside it`);
      case 'EACCES':
      case 'EPERM': throw new FusegradError(`${path}: permission denied; check that you may read the file`);
      case 'ENOTDIR': throw new FusegradError(`${path}: a part of the path is a file, not a folder; check the path`);
      default: throw err;
    }
  }
}

/** Reads and decodes a PNG or JPEG file (see decodeImage; warnings are on the result). */
export async function readImageFile(path: string, opts?: DecodeOptions): Promise<DecodedImage> {
  return decodeImage(await readFileBytes(path), path, opts);
}

// Temp files being written now, so that cleanupTempFiles (e.g. from a SIGINT handler) can remove them.
const pendingTemps = new Set<string>();

/**
 * Removes the temp files of writes still in progress, synchronously so that it can run in a
 * signal or 'exit' handler. The CLI installs such a handler; this module installs none.
 */
export function cleanupTempFiles(): void {
  for (const tmp of pendingTemps) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
  pendingTemps.clear();
}

export interface WriteOptions {
  /** Replace an existing file (the CLI's --force). */
  force?: boolean;
}

/**
 * Writes `bytes` to `path` so that no reader ever sees half a file: first to a temp file in the
 * same folder (same file system, so the final step is atomic), then moved into place. Refuses to
 * replace an existing file unless `force`. The temp file is removed on any error.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new FusegradError(`${path}: is a folder; give a file name for the output`);
    if (existing && !opts.force) throw new FusegradError(`${path}: already exists; pass --force to overwrite it`);

    pendingTemps.add(tmp);
    const handle = await open(tmp, 'wx'); // wx: never reuse someone else's file
    try {
      await handle.writeFile(bytes);
      await handle.sync(); // the data is on disk before the name points at it
    } finally {
      await handle.close();
    }
    if (opts.force) {
      await rename(tmp, path);
    } else {
      // link() fails if `path` appeared since the check above, where rename() would replace it.
      const renamed = await linkNoClobber(tmp, path);
      if (!renamed) await unlink(tmp).catch(() => undefined); // the output is in place either way
    }
    pendingTemps.delete(tmp);
  } catch (err) {
    if (pendingTemps.delete(tmp)) await unlink(tmp).catch(() => undefined);
    if (err instanceof FusegradError) throw err;
    switch (errnoCode(err)) {
      case 'ENOENT': throw new FusegradError(`${path}: the folder ${dir} does not exist; create it first`);
      case 'ENOTDIR': throw new FusegradError(`${path}: a part of the path is a file, not a folder; check the path`);
      case 'EACCES':
      case 'EPERM': throw new FusegradError(`${path}: permission denied; check that you may write to ${dir}`);
      case 'EROFS': throw new FusegradError(`${path}: the file system is read-only; write somewhere else`);
      case 'ENOSPC': throw new FusegradError(`${path}: the disk is full; free some space`);
      default: throw err;
    }
  }
}

/** Gives `tmp`'s content the name `path` unless that exists; true if it fell back to renaming. */
async function linkNoClobber(tmp: string, path: string): Promise<boolean> {
  try {
    await link(tmp, path);
    return false;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') throw new FusegradError(`${path}: already exists; pass --force to overwrite it`);
    // Some file systems (FAT, some network mounts) have no hard links: fall back to a plain rename.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV' || code === 'EMLINK') {
      await rename(tmp, path);
      return true;
    }
    throw err;
  }
}

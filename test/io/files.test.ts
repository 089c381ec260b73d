import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FusegradError } from '../../src/errors.ts';
import { cleanupTempFiles, readImageFile, writeFileAtomic } from '../../src/io/files.ts';
import { encodePng } from '../../src/io/encode.ts';
import { greyImage } from '../../src/io/image.ts';

const dir = mkdtempSync(join(tmpdir(), 'fusegrad-io-'));
const isRoot = process.getuid?.() === 0; // root reads files whatever their mode

async function rejectsUserError(p: Promise<unknown>, ...parts: string[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, FusegradError);
    const msg = (err as Error).message;
    for (const s of parts) assert.ok(msg.includes(s), `message "${msg}" lacks "${s}"`);
    return;
  }
  assert.unreachable('no error thrown');
}

test('readImageFile decodes a PNG', async () => {
  const path = join(dir, 'ir.png');
  writeFileSync(path, encodePng(greyImage(3, 2, Float32Array.of(0, 0.2, 0.4, 0.6, 0.8, 1))));
  const img = await readImageFile(path);
  assert.is(img.width, 3);
  assert.is(img.channels, 1);
  assert.is(img.format, 'png');
});

test('readImageFile: missing file, folder, unreadable, not an image', async () => {
  await rejectsUserError(readImageFile(join(dir, 'nope.png')), 'nope.png', 'no such file');
  mkdirSync(join(dir, 'sub'));
  await rejectsUserError(readImageFile(join(dir, 'sub')), 'sub', 'is a folder');
  writeFileSync(join(dir, 'x.png'), 'GIF89a');
  await rejectsUserError(readImageFile(join(dir, 'x.png')), join(dir, 'x.png'), 'a GIF?');
  await rejectsUserError(readImageFile(join(dir, 'x.png', 'y.png')), 'not a folder');
  if (isRoot) {
    console.log('  (permission check skipped: running as root)');
    return;
  }
  const locked = join(dir, 'locked.png');
  writeFileSync(locked, 'x');
  chmodSync(locked, 0o000);
  await rejectsUserError(readImageFile(locked), 'locked.png', 'permission denied');
});

const leftovers = () => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

test('writeFileAtomic writes, leaves no temp file, refuses to overwrite without force', async () => {
  const out = join(dir, 'fused.png');
  await writeFileAtomic(out, Uint8Array.of(1, 2, 3));
  assert.equal([...readFileSync(out)], [1, 2, 3]);
  await rejectsUserError(writeFileAtomic(out, Uint8Array.of(9)), 'fused.png: already exists; pass --force to overwrite it');
  assert.equal([...readFileSync(out)], [1, 2, 3]);
  await writeFileAtomic(out, Uint8Array.of(4, 5), { force: true });
  assert.equal([...readFileSync(out)], [4, 5]);
  assert.equal(leftovers(), []);
});

test('writeFileAtomic: missing folder, a folder as target; no temp file left', async () => {
  await rejectsUserError(writeFileAtomic(join(dir, 'no-such-dir', 'f.png'), Uint8Array.of(1)), 'does not exist');
  await rejectsUserError(writeFileAtomic(join(dir, 'sub'), Uint8Array.of(1), { force: true }), 'sub', 'is a folder');
  assert.equal(leftovers(), []);
  if (isRoot) return;
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  await rejectsUserError(writeFileAtomic(join(ro, 'f.png'), Uint8Array.of(1)), 'permission denied');
  assert.equal(readdirSync(ro), []);
});

test('cleanupTempFiles is safe with nothing pending', () => {
  cleanupTempFiles();
});

test.after(() => {
  try { chmodSync(join(dir, 'ro'), 0o755); } catch { /* not created */ }
  rmSync(dir, { recursive: true, force: true });
});

test.run();

// The test files under a folder: every *.test.ts, in path order (scripts/run-tests.mjs, mutate-shaders.mjs).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function findTests(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

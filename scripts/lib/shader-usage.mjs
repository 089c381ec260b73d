// Preloaded (node --import) by scripts/mutate-shaders.mjs into a test file's process: writes
// the shader files that process compiled, includes too, to $FUSEGRAD_SHADER_USAGE at exit.
// It fills the engine's shader table itself (src/gpu/shaders.ts then finds it loaded), behind a
// proxy that notes each file read.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const dir = new URL('../../shaders/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.wgsl'));
const table = Object.fromEntries(files.map((name) => [name, readFileSync(new URL(name, dir), 'utf8')]));
const used = new Set();
globalThis.__FUSEGRAD_SHADERS__ = new Proxy(table, {
  get(target, key) {
    if (typeof key === 'string' && files.includes(key)) used.add(key);
    return target[key];
  },
});
process.on('exit', () => writeFileSync(process.env.FUSEGRAD_SHADER_USAGE, [...used].sort().join('\n')));

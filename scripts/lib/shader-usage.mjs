// Preloaded (node --import, after tsx) by scripts/mutate-shaders.mjs into a test file's process:
// writes the shader files that process compiled, includes too, to $FUSEGRAD_SHADER_USAGE at exit.
// It loads the engine's shader table first (src/gpu/shaders.ts then finds it loaded) and puts
// it behind a proxy that notes each file read.
import { writeFileSync } from 'node:fs';
import { loadShaderSources } from '../../src/gpu/shaders.ts';

await loadShaderSources();
const table = globalThis.__FUSEGRAD_SHADERS__;
const files = new Set(Object.keys(table)); // shaders/, before any generated core joins the table
const used = new Set();
globalThis.__FUSEGRAD_SHADERS__ = new Proxy(table, {
  get(target, key) {
    if (typeof key === 'string' && files.has(key)) used.add(key);
    return target[key];
  },
});
process.on('exit', () => writeFileSync(process.env.FUSEGRAD_SHADER_USAGE, [...used].sort().join('\n')));

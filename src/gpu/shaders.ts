/**
 * WGSL sources. Kernels live as files in shaders/; in Node they are read once at init(),
 * in the browser bundle esbuild inlines them into `globalThis.__FUSEGRAD_SHADERS__`
 * (see scripts/build-web.mjs), so the engine code is the same in both places.
 *
 * Two small text features, nothing more:
 *   #include "file.wgsl"   pastes another shader file (shared index helpers), with the same snippets
 *   {{NAME}}               replaced by a caller-given snippet (e.g. an element-wise expression)
 */
type ShaderTable = Record<string, string>;
const holder = globalThis as { __FUSEGRAD_SHADERS__?: ShaderTable };

export async function loadShaderSources(): Promise<void> {
  if (holder.__FUSEGRAD_SHADERS__) return;
  const fs = await import('node:fs');
  const dir = new URL('../../shaders/', import.meta.url);
  const table: ShaderTable = {};
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.wgsl')) table[name] = fs.readFileSync(new URL(name, dir), 'utf8');
  }
  holder.__FUSEGRAD_SHADERS__ = table;
}

/** Adds a generated shader (e.g. a register-blocked matmul core) under a file name to include. */
export function registerShader(file: string, source: string): void {
  const table = holder.__FUSEGRAD_SHADERS__;
  if (!table) throw new Error('shader sources not loaded: call init() first');
  table[file] = source;
}

export function shaderSource(file: string, snippets: Record<string, string> = {}): string {
  const table = holder.__FUSEGRAD_SHADERS__;
  if (!table) throw new Error('shader sources not loaded: call init() first');
  const raw = table[file];
  if (raw === undefined) throw new Error(`no shader file shaders/${file}`);
  // Snippets first, so that a snippet can name the file to include (e.g. the matmul core).
  const filled = raw.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = snippets[key];
    if (value === undefined) throw new Error(`shaders/${file}: no value given for {{${key}}}`);
    return value;
  });
  // an included file sees the includer's snippets (the matmul family's tile: its block and core)
  return filled.replace(/^#include "([^"]+)"$/gm, (_, name: string) => shaderSource(name, snippets));
}

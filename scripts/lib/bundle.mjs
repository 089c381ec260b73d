// What every browser bundle of fusegrad needs (the page, scripts/build-web.mjs; the benchmark
// page, bench/chrome.ts): the WGSL of shaders/ inlined as globalThis.__FUSEGRAD_SHADERS__, and
// stubs for the Node-only modules the engine imports lazily (`webgpu`, `node:*`), which throw if
// ever reached, so a bundle holds no third-party runtime code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const STUB_NAMESPACE = 'node-only';

/** { 'conv2d.wgsl': source, … } */
export function shaderTable(root) {
  const dir = join(root, 'shaders');
  const table = {};
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.wgsl')) table[name] = readFileSync(join(dir, name), 'utf8');
  return table;
}

/** esbuild banner that defines the shader table before any engine code runs */
export const shaderBanner = (shaders) => ({ js: `globalThis.__FUSEGRAD_SHADERS__=${JSON.stringify(shaders)};` });

export const nodeOnlyStubs = {
  name: 'node-only-stubs',
  setup(b) {
    b.onResolve({ filter: /^(webgpu|node:.*)$/ }, (args) => ({ path: args.path, namespace: STUB_NAMESPACE }));
    b.onLoad({ filter: /.*/, namespace: STUB_NAMESPACE }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`fusegrad: '${args.path}' is Node-only and not part of the browser bundle`)}); export {};`,
      loader: 'js',
    }));
  },
};

#!/usr/bin/env node
// npm run build:web — bundles the page (web/main.ts) into dist/web/ with esbuild: minified, the
// WGSL of shaders/ inlined as globalThis.__FUSEGRAD_SHADERS__ (set by a banner, so before any
// engine code runs), index.html and style.css copied. The Node-only modules the engine imports
// lazily (`webgpu`, `node:*`) are replaced by stubs that throw if ever reached, so the bundle
// holds no third-party runtime code; the script checks that from esbuild's metafile (every input
// under src/ or web/) and fails otherwise.
// Usage: node scripts/build-web.mjs [--quiet]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { STUB_NAMESPACE, nodeOnlyStubs, shaderBanner, shaderTable } from './lib/bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'web');
const quiet = process.argv.includes('--quiet');
const STATIC_FILES = ['index.html', 'style.css'];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const shaders = shaderTable(root);
const started = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: ['web/main.ts'],
  outfile: join(outDir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome113', 'edge113', 'firefox141', 'safari26'],
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  banner: shaderBanner(shaders),
  plugins: [nodeOnlyStubs],
});
for (const name of STATIC_FILES) copyFileSync(join(root, 'web', name), join(outDir, name));

// Every bundled input must be our own code (or one of the stubs above).
const inputs = Object.entries(result.metafile.inputs);
const groups = new Map();
const foreign = [];
for (const [path, info] of inputs) {
  const stub = path.startsWith(`${STUB_NAMESPACE}:`);
  if (!stub && !/^(src|web)\//.test(path)) foreign.push(path);
  const group = stub ? `${STUB_NAMESPACE} stubs` : dirname(path);
  const g = groups.get(group) ?? { files: 0, bytes: 0 };
  g.files++;
  g.bytes += info.bytes;
  groups.set(group, g);
}
const bundle = readFileSync(join(outDir, 'main.js'));
if (!quiet) {
  console.log(`bundled web/main.ts in ${Date.now() - started} ms → ${relative(root, outDir)}/main.js`);
  console.log(`  size ${kb(bundle.length)} minified, ${kb(gzipSync(bundle).length)} gzipped (${Object.keys(shaders).length} WGSL files inlined, ${kb(JSON.stringify(shaders).length)})`);
  console.log(`  inputs: ${inputs.length} files, all under src/ or web/${foreign.length ? ' — NO, see below' : ''}:`);
  for (const [group, g] of [...groups].sort()) console.log(`    ${group.padEnd(20)} ${String(g.files).padStart(3)} files ${kb(g.bytes).padStart(10)}`);
  console.log(`  copied: ${STATIC_FILES.join(', ')}`);
}
if (foreign.length) {
  console.error(`build-web: third-party code in the bundle (expected only src/ and web/):\n  ${foreign.join('\n  ')}`);
  process.exit(1);
}

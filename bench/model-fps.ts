/**
 * Inference frames/s of the CNN fusion models at 256² and 640×480 (issue 10's benchmark), with
 * seeded random weights of the real shapes (speed does not depend on the values):
 *   npx tsx bench/model-fps.ts [--sizes 256x256,640x480] [--models didfuse,ldlite,ldfusion,encdec]
 * One warm-up frame (pipeline compilation) at the smallest size, then one timed frame per model and
 * size: upload of both planes, the forward pass, readback of the fused plane. Frames take minutes
 * on SwiftShader, so this is a separate script rather than a suite of `npm run bench`.
 * Prints a table and writes bench/out/model-fps-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, noGrad, shutdown, tensor, tidy } from '../src/index.ts';
import type { Module } from '../src/nn/module.ts';
import { DIDFuse } from '../src/models/didfuse.ts';
import { EncDecFusion } from '../src/models/encdec.ts';
import { LDFusion } from '../src/models/ldfusion.ts';
import { LDLite } from '../src/models/ldlite.ts';
import type { Tensor } from '../src/tensor/tensor.ts';

interface Model { name: string; make: () => Module & { dispose(): void }; frame: (m: Module, ir: Tensor, vis: Tensor) => Tensor }

const MODELS: Model[] = [
  { name: 'didfuse', make: () => new DIDFuse({ seed: 1 }), frame: (m, ir, vis) => (m as DIDFuse).fuse(ir, vis, 'sum') },
  { name: 'ldlite', make: () => new LDLite({ seed: 1 }), frame: (m, ir, vis) => (m as LDLite).forward({ ir, vis }) },
  { name: 'ldfusion', make: () => new LDFusion({ seed: 1 }), frame: (m, ir, vis) => (m as LDFusion).forward({ ir, vis }) },
  // inputs in [−1, 1], H and W multiples of 32 (256² and 640×480 are)
  { name: 'encdec', make: () => new EncDecFusion({ seed: 1 }), frame: (m, ir, vis) => (m as EncDecFusion).fuse(ir, vis) },
];

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const sizes = flag('sizes', '256x256,640x480').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const models = MODELS.filter((m) => flag('models', 'didfuse,ldlite,ldfusion,encdec').split(',').includes(m.name));

const rt = await init();
const rows: { model: string; width: number; height: number; seconds: number; fps: number }[] = [];
for (const model of models) {
  const net = model.make();
  net.train(false);
  const run = async (width: number, height: number) => {
    const plane = (phase: number) => Float32Array.from({ length: width * height }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.013 + phase));
    const started = performance.now();
    const out = noGrad(() => tidy(() => model.frame(net, tensor(plane(0), [1, 1, height, width]), tensor(plane(1), [1, 1, height, width]))));
    await out.read();
    out.dispose();
    return (performance.now() - started) / 1000;
  };
  await run(64, 64); // compiles every pipeline the model uses
  for (const [width, height] of sizes) {
    const seconds = await run(width, height);
    rows.push({ model: model.name, width, height, seconds, fps: 1 / seconds });
    process.stderr.write(`${model.name} ${width}×${height}: ${seconds.toFixed(1)} s/frame\n`);
  }
  net.dispose();
}
const report = { adapter: rt.report.description, date: new Date().toISOString(), rows };
shutdown();
const table = ['| model | size | s/frame (upload + forward + readback) | FPS |', '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.model} | ${r.width}×${r.height} | ${r.seconds.toFixed(2)} | ${r.fps.toPrecision(3)} |`)].join('\n');
const outDir = join(fileURLToPath(new URL('.', import.meta.url)), 'out');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `model-fps-${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`adapter: ${report.adapter}, ${report.date}\n\n${table}\n\nreport: ${file}`);
process.exit(0);

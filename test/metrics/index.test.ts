// computeMetrics, summarise and the table / CSV / JSON / summary formatters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  METRIC_NAMES, computeMetrics, entropy, formatSummary, formatTable, summarise, toCsv, toJson,
} from '../../src/metrics/index.ts';
import type { MetricName } from '../../src/metrics/index.ts';
import { close, map, scene } from './fixtures.ts';

const CAP = (0.9994 / (1 + Math.exp(-7.5))) * (0.9879 / (1 + Math.exp(-4.4)));

function row(v: (name: MetricName, i: number) => number): Record<MetricName, number> {
  const out = {} as Record<MetricName, number>;
  METRIC_NAMES.forEach((name, i) => { out[name] = v(name, i); });
  return out;
}

test('computeMetrics returns every metric, in METRIC_NAMES order', () => {
  const x = scene(48, 44, 1);
  const m = computeMetrics(x, x, x);
  assert.equal(Object.keys(m), [...METRIC_NAMES]);
  for (const name of METRIC_NAMES) assert.type(m[name], 'number');
});

test('computeMetrics of F = IR = VIS: the identity values of every metric', () => {
  const x = scene(48, 44, 2);
  const m = computeMetrics(x, x, { width: 48, height: 44, data: Array.from(x.data) });
  close(m.MI, 2 * entropy(x), 1e-12, 'MI');
  assert.is(m.CE, 0);
  close(m.CC, 1, 1e-12, 'CC');
  assert.is(m.SCD, 0); // F - VIS and F - IR are constant (0): both correlations 0 by convention
  assert.is(m.PSNR, Infinity);
  assert.is(m.RMSE, 0);
  close(m.SSIM, 1, 1e-12, 'SSIM');
  close(m['MS-SSIM'], 1, 1e-12, 'MS-SSIM');
  close(m.VIF, 2, 1e-9, 'VIF');
  close(m.VIFF, 1, 1e-9, 'VIFF');
  close(m.Qabf, CAP, 1e-12, 'Qabf');
});

test('computeMetrics throws a plain Error when sizes differ', () => {
  const a = scene(20, 20, 3), b = scene(20, 21, 3);
  try {
    computeMetrics(a, a, b);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, Error);
    assert.is((e as Error).constructor, Error);
    assert.match((e as Error).message, /20x20 vs 20x21/);
  }
  assert.throws(() => computeMetrics(b, a, a), /differ in size/);
});

test('computeMetrics rejects data of the wrong length or with NaN', () => {
  assert.throws(() => computeMetrics({ width: 2, height: 2, data: [1, 2, 3] }, scene(2, 2, 1), scene(2, 2, 1)), /needs 4 values/);
  assert.throws(() => computeMetrics({ width: 1, height: 2, data: [1, NaN] }, { width: 1, height: 2, data: [1, 2] }, { width: 1, height: 2, data: [1, 2] }), /not a finite/);
});

test('summarise: mean and population std per metric', () => {
  // Rows 1, 3 and 5 (+ i): mean 3 (+ i), std sqrt(((-2)^2 + 0 + 2^2)/3) = sqrt(8/3).
  const rows = [1, 3, 5].map((v) => row((_n, i) => v + i));
  const { mean, std } = summarise(rows);
  METRIC_NAMES.forEach((name, i) => {
    close(mean[name], 3 + i, 1e-12, `mean ${name}`);
    close(std[name], Math.sqrt(8 / 3), 1e-12, `std ${name}`);
  });
});

test('formatTable: header, one line per image, rule, mean and std; every line the same width', () => {
  const rows = [
    { name: 'a.png', metrics: row((_n, i) => i + 0.5) },
    { name: 'longer-name.png', metrics: row((_n, i) => i * 10) },
  ];
  const text = formatTable(rows);
  const lines = text.split('\n');
  assert.is(lines.length, 7);
  assert.ok(lines[0].startsWith('image'));
  for (const name of METRIC_NAMES) assert.ok(lines[0].includes(name), name);
  assert.ok(lines[2].startsWith('a.png'));
  assert.ok(lines[5].startsWith('mean') && lines[6].startsWith('std'));
  assert.ok(lines[5].includes('0.2500'), 'mean of 0.5 and 0 for EN');
  assert.is(new Set(lines.map((l) => l.length)).size, 1);
});

test('formatTable writes inf for an exact copy (PSNR)', () => {
  const text = formatTable([{ name: 'x', metrics: row((n) => (n === 'PSNR' ? Infinity : 1)) }]);
  assert.match(text, / inf /);
});

test('toCsv: header, one line per image, full precision, names with commas quoted; summary on request', () => {
  const rows = [{ name: 'a,b', metrics: row((_n, i) => i / 3) }];
  const lines = toCsv(rows).trimEnd().split('\n');
  assert.is(lines[0], ['name', ...METRIC_NAMES].join(','));
  assert.is(lines.length, 2);
  assert.ok(lines[1].startsWith('"a,b",0,0.3333333333333333,'));
  assert.is(toCsv(rows, { summary: true }).trimEnd().split('\n').length, 4);
});

test('toJson: parses back; Infinity becomes null', () => {
  const rows = [{ name: 'x', metrics: row((n) => (n === 'PSNR' ? Infinity : 2)) }];
  const parsed = JSON.parse(toJson(rows)) as {
    metrics: string[]; rows: { name: string; metrics: Record<string, number | null> }[];
    mean: Record<string, number | null>; std: Record<string, number | null>;
  };
  assert.equal(parsed.metrics, [...METRIC_NAMES]);
  assert.is(parsed.rows[0].name, 'x');
  assert.is(parsed.rows[0].metrics.EN, 2);
  assert.is(parsed.rows[0].metrics.PSNR, null);
  assert.is(parsed.mean.SD, 2);
  assert.is(parsed.std.SD, 0);
});

test('formatSummary: the headline metrics on one line', () => {
  const m = row(() => 0);
  Object.assign(m, { EN: 7.1234, SD: 41.27, SF: 12.84, MI: 2.912, VIF: 0.7149, SSIM: 0.7061, Qabf: 0.5249 });
  assert.is(formatSummary(m), 'EN 7.12  SD 41.3  SF 12.8  MI 2.91  VIF 0.71  SSIM 0.71  Qabf 0.52');
  assert.is(formatSummary({ EN: 6.5, Qabf: 0.4 }), 'EN 6.50  Qabf 0.40');
});

test('the metric values of a real-looking triple are all finite', () => {
  const ir = scene(64, 60, 4), vis = scene(64, 60, 5);
  const f = map(ir, (v, i) => Math.round((v + vis.data[i]) / 2));
  const m = computeMetrics(ir, vis, f);
  for (const name of METRIC_NAMES) assert.ok(Number.isFinite(m[name]), `${name} = ${m[name]}`);
});

test.run();

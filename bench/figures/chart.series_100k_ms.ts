/**
 * chart.series_100k_ms: the first painted frame of a 100,000-point I-MR control chart in
 * Debian's Chromium, the kit's ControlChart as the SPC page draws it (React render, moving
 * ranges, rule marks, two uPlot instances, style, layout and paint), median of 15 fresh
 * charts after one to warm up (reported beside it as first_ms).
 *
 * The bench builds its own page (bench/pages/chart, with Vite: the renderer's components and
 * styles) and serves it on loopback. The data is made here, as the station would send it: a
 * measurement drifting in its last tenth, a limit change at 60 %, each version's control
 * limits and Nelson rules 1-4 from the station's own SPC functions (electron/station/stats/spc.ts).
 */
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { SPC_RULE_NAMES, type SpcRule } from '#contract/stats.ts';
import { checkRules, imrLimits } from '#station/stats/spc.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const N = 100_000;
const SAMPLES = 15;
const RULES: SpcRule[] = [1, 2, 3, 4];

const pageDir = fileURLToPath(new URL('../pages/chart', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'passline-chart-bench-'));

/** A seeded generator (mulberry32), so every run of the bench draws the same chart. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function data() {
  const rnd = random(15);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const values: number[] = [];
  for (let i = 0; i < N; i++) {
    const drift = i > N * 0.9 ? 0.004 : 0;
    values.push(Math.round((3.3 + drift + 0.003 * gauss() + (rnd() < 0.0005 ? 0.02 : 0)) * 1e5) / 1e5);
  }
  const cut = N * 0.6;
  const parts = [
    { from: 0, to: cut - 1, label: 'limits v1', lower: 3.2, upper: 3.4 },
    { from: cut, to: N - 1, label: 'limits v2', lower: 3.25, upper: 3.35 },
  ];
  const segments = [];
  const violations = new Map<number, SpcRule[]>();
  for (const p of parts) {
    const xs = values.slice(p.from, p.to + 1);
    const l = imrLimits(xs)!;
    segments.push({ ...p, centre: l.individuals.cl, ucl: l.individuals.ucl, lcl: l.individuals.lcl, mrCentre: l.movingRange.cl, mrUcl: l.movingRange.ucl });
    const hits = checkRules(xs, { cl: l.individuals.cl, sigma: (l.individuals.ucl - l.individuals.cl) / 3 }, RULES);
    for (const [rule, points] of hits) for (const i of points) violations.set(p.from + i, [...(violations.get(p.from + i) ?? []), rule]);
  }
  return {
    values,
    segments,
    violations: [...violations].map(([index, rules]) => ({ index, rules })),
    ruleNames: SPC_RULE_NAMES,
  };
}

await build({
  configFile: false,
  root: pageDir,
  base: './',
  logLevel: 'warn',
  plugins: [react()],
  resolve: { alias: { '#contract': fileURLToPath(new URL('../../electron/contract', import.meta.url)) } },
  build: { outDir: out, emptyOutDir: true, target: 'chrome120', modulePreload: { polyfill: false } },
});
if (!existsSync(join(out, 'index.html'))) throw new Error('the chart bench page did not build');

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(out, path === '/' ? 'index.html' : path);
  if (!file.startsWith(out) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const d = data();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForFunction('typeof window.__render === "function"');
  // The data goes in once; each sample draws a fresh chart of it.
  await page.evaluate((x) => {
    (globalThis as unknown as { __data: unknown }).__data = x;
  }, d);
  const draw = async (): Promise<number> => (await page.evaluate('window.__render(window.__data)')) as number;
  const first = await draw();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await draw());
  const canvases = (await page.evaluate('document.querySelectorAll(".chart canvas").length')) as number;
  if (canvases !== 2) throw new Error(`expected the I and MR charts, found ${canvases} canvases`);
  report('chart.series_100k_ms', median(samples), 'ms', 150, {
    ...spreadOf(samples),
    first_ms: Math.round(first * 10) / 10,
    points: N,
    marked: d.violations.length,
    segments: d.segments.length,
  });
} finally {
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}

/**
 * event.to_dom_p99_ms: a measurement's time from the runner to text in the
 * browser's DOM, at about 200 events/s, through the real headless station, its
 * WebSocket and the built UI in Debian's Chromium. The second unit of the page's
 * life is measured; the first (warm-up) is reported beside it as first_run_p99.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startHeadless, stop } from '../lib/headless.ts';
import { percentile, report } from '../lib/report.ts';

const ui = fileURLToPath(new URL('../../dist/renderer/index.html', import.meta.url));
if (!existsSync(ui)) throw new Error('the UI is not built: run npm run build:ui first');

const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
const sequences = fileURLToPath(new URL('../sequences', import.meta.url));
const { child, url } = await startHeadless(['--data-dir', dir, '--port', '0', '--sequences', sequences, '--procedure', 'events-burst']);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  const serial = page.getByLabel(/serial number/i).first();
  await serial.waitFor();
  // Every text node that appears with a runner timestamp is one sample. The same observer
  // notes each verdict: waiting for it with a Playwright locator would poll the text of the
  // whole page (1000 measurement rows) on the page's main thread all through the run.
  // Browser-side code as a string: this file is type-checked without DOM types.
  await page.evaluate(`(() => {
    const seen = new Set();
    let lat = [];
    let ended = () => {};
    let verdictShown = true;
    window.__run = () => {
      lat = [];
      return new Promise((resolve) => (ended = () => resolve(lat)));
    };
    const scan = (node) => {
      const text = node.textContent || '';
      for (const m of text.matchAll(/t=(\\d+\\.\\d+)/g)) {
        if (seen.has(m[1])) continue;
        seen.add(m[1]);
        lat.push(Date.now() - Number(m[1]));
      }
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'characterData') scan(r.target);
        r.addedNodes.forEach(scan);
      }
      // A run ends when a verdict appears where there was none (the last one goes at the scan).
      const shown = document.querySelector('.result-word') !== null;
      if (shown && !verdictShown) ended();
      verdictShown = shown;
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  /** Scans a unit and resolves with its latencies once its verdict shows. */
  const run = async (unit: string): Promise<number[]> => {
    const done = page.evaluate('window.__run()') as Promise<number[]>;
    await serial.fill(unit);
    await serial.press('Enter');
    return done;
  };
  // The first run after the page loads pays for warming up (code compiled on first use, first
  // layout of a run's rows): 100-200 ms stalls in its first second here. It is reported beside
  // the figure; the figure is the next run, as every later run on a station is.
  const first = [...(await run('BENCH-0'))].sort((a, b) => a - b);
  await page.waitForTimeout(500);
  const sorted = [...(await run('BENCH-1'))].sort((a, b) => a - b);
  report('event.to_dom_p99_ms', percentile(sorted, 99), 'ms', 50, {
    p50: percentile(sorted, 50),
    max: sorted.at(-1),
    samples: sorted.length,
    rate_per_s: 200,
    first_run_p99: percentile(first, 99),
    first_run_max: first.at(-1),
  });
} finally {
  await browser.close();
  await stop(child);
  rmSync(dir, { recursive: true, force: true });
}

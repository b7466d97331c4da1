/**
 * event.to_dom_p99_ms: a measurement's time from the runner to text in the
 * browser's DOM, at about 200 events/s, through the real headless station, its
 * WebSocket and the built UI in Debian's Chromium.
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
  // Every text node that appears with a runner timestamp is one sample.
  // Browser-side code as a string: this file is type-checked without DOM types.
  await page.evaluate(`(() => {
    window.__lat = [];
    const seen = new Set();
    const scan = (node) => {
      const text = node.textContent || '';
      for (const m of text.matchAll(/t=(\\d+\\.\\d+)/g)) {
        if (seen.has(m[1])) continue;
        seen.add(m[1]);
        window.__lat.push(Date.now() - Number(m[1]));
      }
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'characterData') scan(r.target);
        r.addedNodes.forEach(scan);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  await serial.fill('BENCH-1');
  await serial.press('Enter');
  await page.getByText(/PASS|FAIL/).first().waitFor({ timeout: 60_000 });
  const lat = (await page.evaluate('window.__lat')) as number[];
  const sorted = [...lat].sort((a, b) => a - b);
  report('event.to_dom_p99_ms', percentile(sorted, 99), 'ms', 50, { p50: percentile(sorted, 50), max: sorted.at(-1), samples: lat.length, rate_per_s: 200 });
} finally {
  await browser.close();
  await stop(child);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * With 100,000 runs stored (5 phases x 4 measurements each):
 * store.ready_100k_ms — headless station start to ready, median of 3;
 * store.search_serial_ms — search by serial number (prefix), median of 200;
 * history.first_render_ms — the history page's first render in Chromium (navigation start to the frame
 *   that first shows a row, timed by the page itself), median of 11 fresh pages (one more first, to warm the station).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { seedStore } from '../lib/seed.ts';
import { startHeadless, stop } from '../lib/headless.ts';
import { median, percentile, report } from '../lib/report.ts';

const N = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
try {
  const s0 = performance.now();
  seedStore(dir, N, 5, 4);
  const seedS = (performance.now() - s0) / 1000;

  const ready: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { child, ms } = await startHeadless(['--data-dir', dir, '--port', '0']);
    ready.push(ms);
    await stop(child);
  }
  report('store.ready_100k_ms', median(ready), 'ms', 1500, { runs: N, samples: ready.map(Math.round), seed_s: Math.round(seedS) });

  const db = openDatabase(dir);
  const repo = new RunsRepo(db);
  const searches: number[] = [];
  for (let i = 0; i < 200; i++) {
    const prefix = `SN-${String(Math.floor(Math.random() * N)).padStart(7, '0').slice(0, 5 + (i % 3))}`;
    const t0 = performance.now();
    const rows = repo.listRuns({ limit: 50, serialPrefix: prefix });
    searches.push(performance.now() - t0);
    if (rows.length === 0) throw new Error(`no run for ${prefix}`);
  }
  db.close();
  report('store.search_serial_ms', median(searches), 'ms', 10, { p95: percentile([...searches].sort((a, b) => a - b), 95), runs: N });

  const { child, url } = await startHeadless(['--data-dir', dir, '--port', '0']);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const renders: number[] = [];
    for (let i = 0; i < 12; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // The page times itself: from navigation start to the frame that first shows a row
      // of the Runs table. Asking from outside (a locator polling, then an evaluate)
      // would add Playwright's own work on the page's main thread, 90-180 ms here.
      // Browser-side code as a string: this file is type-checked without DOM types.
      // (A promise the page keeps, awaited by evaluate: polling with waitForFunction would
      // evaluate a string in the page, which the UI's CSP rightly refuses.)
      await page.addInitScript(`(() => {
        window.__firstRows = new Promise((resolve) => {
          const seen = () => {
            if (!document.querySelector('table[aria-label="Runs"] tbody tr')) return false;
            requestAnimationFrame(() => resolve(performance.now()));
            return true;
          };
          const mo = new MutationObserver(() => { if (seen()) mo.disconnect(); });
          mo.observe(document, { subtree: true, childList: true });
        });
      })()`);
      await page.goto(`${url}/#/history`);
      const ms = (await page.evaluate('window.__firstRows')) as number;
      if (i > 0) renders.push(ms);
      await page.close();
    }
    report('history.first_render_ms', median(renders), 'ms', 200, { runs: N, samples: renders.map(Math.round) });
  } finally {
    await browser.close();
    await stop(child);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

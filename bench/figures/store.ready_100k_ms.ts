/**
 * With 100,000 runs stored (5 phases x 4 measurements each):
 * store.ready_100k_ms — headless station start to ready, median of 3;
 * store.search_serial_ms — search by serial number (any part, any case, as History asks), median of 200;
 * history.first_render_ms — History's first render in Chromium: from the click on History in the
 *   station's navigation to the first frame painted with rows, median of 11 fresh pages (one more
 *   first, to warm the station); beside it, cold_page_load_ms: the page loaded on /#/history in a
 *   browser profile with no cache, navigation start to the same frame.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { seedStore } from '../lib/seed.ts';
import { startHeadless, stop } from '../lib/headless.ts';
import { median, percentile, report, wanted } from '../lib/report.ts';

/**
 * The page times itself (asking from outside, by a locator polling, would add Playwright's own
 * work on the page's main thread: 90-180 ms here). `window.__firstRows` settles in the task after
 * the frame that first shows a row of the Runs table, i.e. once that frame's style, layout and
 * paint are done, with the time since navigation start or, for History opened from the
 * navigation, since the click. A promise the page keeps, awaited by evaluate: polling with
 * waitForFunction would evaluate a string in the page, which the UI's CSP rightly refuses.
 * Browser-side code as a string: this file is type-checked without DOM types.
 */
const PAGE_TIMER = `(() => {
  const whenRows = () => new Promise((resolve) => {
    const painted = () => requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(0);
    });
    const mo = new MutationObserver(() => {
      if (!document.querySelector('table[aria-label="Runs"] tbody tr')) return;
      mo.disconnect();
      painted();
    });
    mo.observe(document, { subtree: true, childList: true });
  });
  if (location.hash === '#/history') window.__firstRows = whenRows();
  document.addEventListener('click', (e) => {
    if (!(e.target instanceof Element) || !e.target.closest('a[href="#/history"]')) return;
    const t0 = e.timeStamp;
    window.__firstRows = whenRows().then((t) => t - t0);
  }, true);
})()`;

const N = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
try {
  const s0 = performance.now();
  seedStore(dir, N, 5, 4);
  const seedS = (performance.now() - s0) / 1000;

  const ready: number[] = [];
  for (let i = 0; i < (wanted('store.ready_100k_ms') ? 3 : 0); i++) {
    const { child, ms } = await startHeadless(['--data-dir', dir, '--port', '0']);
    ready.push(ms);
    await stop(child);
  }
  if (ready.length) report('store.ready_100k_ms', median(ready), 'ms', 1500, { runs: N, samples: ready.map(Math.round), seed_s: Math.round(seedS) });

  if (wanted('store.search_serial_ms')) searchBySerial();

  if (wanted('history.first_render_ms')) await historyFirstRender();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function searchBySerial(): void {
  const db = openDatabase(dir);
  const repo = new RunsRepo(db);
  const searches: number[] = [];
  const prefixSearches: number[] = [];
  for (let i = 0; i < 200; i++) {
    const prefix = `SN-${String(Math.floor(Math.random() * N))
      .padStart(7, '0')
      .slice(0, 5 + (i % 3))}`;
    // What an operator types: a part of the number, in lower case ("n-0001" for SN-0001…).
    const text = prefix.slice(1).toLowerCase();
    const t0 = performance.now();
    const rows = repo.listRuns({ limit: 50, serial: text });
    searches.push(performance.now() - t0);
    if (rows.length === 0) throw new Error(`no run for ${text}`);
    const t1 = performance.now();
    repo.listRuns({ limit: 50, serialPrefix: prefix });
    prefixSearches.push(performance.now() - t1);
  }
  db.close();
  report('store.search_serial_ms', median(searches), 'ms', 10, {
    p95: percentile(
      [...searches].sort((a, b) => a - b),
      95,
    ),
    best: Math.min(...searches),
    exact_prefix_ms: median(prefixSearches),
    runs: N,
  });
}

async function historyFirstRender(): Promise<void> {
  const { child, url } = await startHeadless(['--data-dir', dir, '--port', '0']);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const fresh = () => browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    // Opened from the station's own navigation, as an operator or supervisor does: the station
    // screen is up, History is clicked. From the click to the first frame painted with rows.
    const inApp: number[] = [];
    for (let i = 0; i < 12; i++) {
      const page = await fresh();
      await page.addInitScript(PAGE_TIMER);
      await page.goto(`${url}/#/`);
      await page.getByLabel('Serial number').first().waitFor();
      await page.waitForTimeout(500);
      await page.getByRole('link', { name: 'History', exact: true }).click();
      const ms = (await page.evaluate('window.__firstRows')) as number;
      if (i > 0) inApp.push(ms);
      await page.close();
    }
    // The page loaded on /#/history in a browser profile that has never seen the station
    // (no HTTP or code cache): from navigation start to the first frame painted with rows.
    const coldLoad: number[] = [];
    for (let i = 0; i < 12; i++) {
      const page = await fresh();
      await page.addInitScript(PAGE_TIMER);
      await page.goto(`${url}/#/history`);
      const ms = (await page.evaluate('window.__firstRows')) as number;
      if (i > 0) coldLoad.push(ms);
      await page.close();
    }
    report('history.first_render_ms', median(inApp), 'ms', 200, {
      runs: N,
      samples: inApp.map(Math.round),
      cold_page_load_ms: median(coldLoad),
      cold_page_load_samples: coldLoad.map(Math.round),
    });
  } finally {
    await browser.close();
    await stop(child);
  }
}

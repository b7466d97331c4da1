/**
 * plant.line_view_ms: the line view's first paint in Chromium with 100 stations and 1,000,000
 * runs in the plant database: the page (logged in, reloaded) from navigation start to the frame
 * painted with every station's card, through the real `passline plant` process.
 * plant.unit_search_ms: a serial's whole history (every attempt with its station and what
 * failed, and where it is testing now) read from the same database, as `plant.unit` reads it.
 * The million runs are written by SQL (bench/lib/plant-seed.ts) in seconds.
 */
import { chromium } from '@playwright/test';
import pg from 'pg';
import { migrateSchema } from '#station/uploader/pg-migrate.ts';
import { readLine, readUnit } from '#plant/plant-db.ts';
import { seedPlant } from '../lib/plant-seed.ts';
import { median, percentile, report, spreadOf, wanted } from '../lib/report.ts';
import { startPostgres } from '../../test/helpers/postgres.ts';
import { PlantProcess } from '../../test/e2e/plant-process.ts';
import { StationClient } from '../../test/e2e/station-client.ts';

const RUNS = 1_000_000;
const STATIONS = 100;
const SERIALS = 250_000;

/** Settles in the task after the frame that first shows every station card (see store.ready_100k_ms for why the page times itself). */
const PAGE_TIMER = `(() => {
  window.__linePainted = new Promise((resolve) => {
    const painted = () => requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(0);
    });
    const mo = new MutationObserver(() => {
      if (document.querySelectorAll('[data-station]').length < ${STATIONS}) return;
      mo.disconnect();
      painted();
    });
    mo.observe(document, { subtree: true, childList: true });
  });
})()`;

const server = await startPostgres({ fsync: false });
try {
  const c = new pg.Client(server.url);
  await c.connect();
  await migrateSchema(c, 'passline', 'bench');
  const s0 = performance.now();
  await seedPlant(c, 'passline', { runs: RUNS, stations: STATIONS, serials: SERIALS });
  const seedS = (performance.now() - s0) / 1000;
  await c.end();
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });

  if (wanted('plant.unit_search_ms')) {
    let x = 12345;
    const next = (): string => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return `SN-${String(x % SERIALS).padStart(7, '0')}`;
    };
    for (let i = 0; i < 20; i++) await readUnit(pool, 'passline', next());
    const ms: number[] = [];
    let attempts = 0;
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const u = await readUnit(pool, 'passline', next());
      ms.push(performance.now() - t0);
      attempts += u.attempts.length;
    }
    report('plant.unit_search_ms', median(ms), 'ms', 20, {
      ...spreadOf(ms),
      p95:
        Math.round(
          percentile(
            [...ms].sort((a, b) => a - b),
            95,
          ) * 10,
        ) / 10,
      runs: RUNS,
      searches: ms.length,
      attempts_per_serial: Math.round((attempts / ms.length) * 10) / 10,
      seed_s: Math.round(seedS),
    });
  }

  if (wanted('plant.line_view_ms')) {
    const reads: number[] = [];
    const day = new Date();
    day.setHours(0, 0, 0, 0);
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await readLine(pool, 'passline', day, 0);
      if (i > 0) reads.push(performance.now() - t0);
    }
    const plant = await PlantProcess.start(server.url);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const admin = await StationClient.connect(plant.url);
      await admin.invoke('setup.createAdmin', { badge: 'ADM-1', name: 'Bench Admin', pin: '9731' });
      admin.close();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${plant.url}/`);
      await page.getByLabel('Badge', { exact: true }).fill('ADM-1');
      await page.getByLabel('PIN', { exact: true }).fill('9731');
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await page
        .locator('[data-station]')
        .nth(STATIONS - 1)
        .waitFor({ state: 'attached' });
      await page.addInitScript(PAGE_TIMER);
      const ms: number[] = [];
      for (let i = 0; i < 12; i++) {
        // The tab keeps its login across a reload (its resume key), as an operator's does.
        await page.reload();
        const t = (await page.evaluate('window.__linePainted')) as number;
        if (i > 0) ms.push(t);
      }
      report('plant.line_view_ms', median(ms), 'ms', 300, {
        ...spreadOf(ms),
        stations: STATIONS,
        runs: RUNS,
        runs_today: Math.round(RUNS / 365),
        line_query_ms: Math.round(median(reads) * 10) / 10,
        seed_s: Math.round(seedS),
      });
    } finally {
      await browser.close();
      await plant.stop();
    }
  }
  await pool.end();
} finally {
  server.stop();
}

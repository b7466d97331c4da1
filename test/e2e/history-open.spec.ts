/**
 * Opening History from the station's navigation: its first page is asked for on the click,
 * the station screen stays up until it is in, and History appears once, with its runs. A
 * station that does not answer holds nobody up for more than a second.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';

/** Notes in the page whether "Loading runs…" or an empty History ever showed. */
const WATCH = `(() => {
  window.__seen = { loading: false, emptyHistory: false };
  new MutationObserver(() => {
    const list = document.querySelector('.list-meta');
    if (list && list.textContent === 'Loading runs…') window.__seen.loading = true;
    if (document.getElementById('history-title') && !document.querySelector('table[aria-label="Runs"] tbody tr')) window.__seen.emptyHistory = true;
  }).observe(document, { subtree: true, childList: true, characterData: true });
})()`;

const seen = (page: Page) => page.evaluate('window.__seen') as Promise<{ loading: boolean; emptyHistory: boolean }>;

/** A station with 60 finished runs, SEED-0001 … SEED-0060. */
async function seededStation(): Promise<{ station: StationProcess; dataDir: string }> {
  const dataDir = StationProcess.freshDataDir();
  const seeded = spawnSync(process.execPath, [fileURLToPath(new URL('./seed-runs.ts', import.meta.url)), dataDir, '60'], { encoding: 'utf8' });
  expect(seeded.status, seeded.stderr).toBe(0);
  return { station: await StationProcess.start({ dataDir }), dataDir };
}

test('History opened from the navigation appears once, with its runs; the date filters then become pickers', async ({ page }, testInfo) => {
  const { station, dataDir } = await seededStation();
  try {
    const operator = new OperatorScreen(page);
    await page.addInitScript(WATCH);
    await operator.open(station.url);

    await page.getByRole('link', { name: 'History', exact: true }).click();
    const rows = page.getByRole('table', { name: 'Runs' }).getByRole('row');
    await expect(rows.nth(1)).toContainText('SEED-0060');
    // The rest of the first page follows the first screenful.
    await expect(rows).toHaveCount(51);
    expect(await seen(page)).toEqual({ loading: false, emptyHistory: false });
    await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeFocused();
    for (const label of ['From', 'To']) await expect(page.getByLabel(label, { exact: true })).toHaveAttribute('type', 'date');
    await saveScreenshot(page, testInfo, 'history-opened');

    // Back to the station and to History again: asked again, shown again at once.
    await page.getByRole('link', { name: 'Station', exact: true }).click();
    await expect(operator.serial).toBeFocused();
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await expect(rows).toHaveCount(51);
    expect(await seen(page)).toEqual({ loading: false, emptyHistory: false });
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('a station that does not answer History’s first request: after a second History says Loading runs… and asks again', async ({ page }) => {
  const { station, dataDir } = await seededStation();
  try {
    /** History's runs.list requests, counted from the click on (the station screen asks for its own). */
    let lists = 0;
    let armed = false;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const frame = JSON.parse(String(m)) as { type: string; name?: string };
        // The first runs.list goes unanswered, as from a station too busy to reply.
        if (armed && frame.type === 'invoke' && frame.name === 'runs.list' && ++lists === 1) return;
        server.send(m);
      });
      server.onMessage((m) => ws.send(m));
    });
    const operator = new OperatorScreen(page);
    await page.addInitScript(WATCH);
    await operator.open(station.url);

    armed = true;
    const clicked = Date.now();
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
    const rows = page.getByRole('table', { name: 'Runs' }).getByRole('row');
    await expect(rows).toHaveCount(51);
    // Held for the wait (a second), not for the request's own 10 s timeout.
    expect(Date.now() - clicked).toBeLessThan(5000);
    expect(lists).toBe(2);
    expect((await seen(page)).loading).toBe(true);
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

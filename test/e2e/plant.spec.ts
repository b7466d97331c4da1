/**
 * The plant view in Chromium over a real PostgreSQL server: three real headless stations write
 * to it (runs, heartbeats, state), the plant process (`passline plant`) serves the line and a
 * unit's life, and every change reaches the page live, from the database's NOTIFY.
 */
import { test, expect } from '@playwright/test';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { saveScreenshot } from './fixtures.ts';
import { ADMIN } from './people.ts';
import { PlantProcess, startPlantStation } from './plant-process.ts';
import { StationClient } from './station-client.ts';
import { StationProcess } from './station.ts';

let server: Postgres;
const stations: StationProcess[] = [];
let plant: PlantProcess | undefined;

test.beforeAll(async () => {
  server = await startPostgres({ fsync: false });
});

test.afterAll(async () => {
  await plant?.stop();
  for (const s of stations) {
    await s.stop();
    StationProcess.removeDataDir(s.dataDir);
  }
  server?.stop();
});

/** Starts a run of the demo and answers its LED question once the plant shows the unit testing. */
async function runDemo(url: string, serial: string, ledGreen: boolean, whileAsked?: () => Promise<void>): Promise<void> {
  const c = await StationClient.connect(url);
  try {
    const { seq } = (await c.invoke('station.snapshot', {})) as { seq: number };
    await c.invoke('run.start', { socket: 0, serialNumber: serial });
    const asked = await c.waitForEvent(seq, (e) => e.kind === 'prompt.opened');
    await whileAsked?.();
    const promptId = (asked.data as { prompt: { id: string } }).prompt.id;
    await c.invoke('prompt.answer', { socket: 0, promptId, answer: ledGreen });
    await c.waitForEvent(seq, (e) => e.kind === 'run.ended');
  } finally {
    c.close();
  }
}

test('the line live across stations, a silent station, and a unit retested at another station', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const who = [
    { id: 'FCT-1', name: 'FCT 1', line: 'A' },
    { id: 'FCT-2', name: 'FCT 2', line: 'A' },
    { id: 'ICT-1', name: 'ICT 1', line: 'B' },
  ];
  for (const w of who) stations.push(await startPlantStation(server.url, w));
  const [a, b, c] = stations as [StationProcess, StationProcess, StationProcess];
  plant = await PlantProcess.start(server.url);
  const admin = await StationClient.connect(plant.url);
  await admin.invoke('setup.createAdmin', { badge: ADMIN.badge, name: ADMIN.name, pin: ADMIN.pin });
  admin.close();

  await page.goto(`${plant.url}/`);
  // The plant shows nothing before a login, as a station's supervisor screens.
  await page.getByLabel('Badge', { exact: true }).fill(ADMIN.badge);
  await page.getByLabel('PIN', { exact: true }).fill(ADMIN.pin);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByRole('group', { name: 'Logged in' })).toContainText(ADMIN.name);
  const card = (id: string) => page.locator(`[data-station="${id}"]`);
  for (const w of who) await expect(card(w.id)).toContainText(w.name);
  await expect(page.getByRole('region', { name: 'Line A' }).locator('[data-station]')).toHaveCount(2);
  await expect(card('FCT-1')).toContainText('Idle');

  // A unit fails at FCT 1 (the LED is not green); while the station asks, the plant shows it testing, in its phase.
  await runDemo(a.url, 'DEMO-0042', false, async () => {
    await expect(card('FCT-1')).toContainText('Testing — led_check');
    await expect(card('FCT-1').getByRole('link', { name: 'DEMO-0042' })).toBeVisible();
    await expect(card('FCT-1').locator('.plant-status')).toHaveText('Testing');
    await saveScreenshot(page, testInfo, 'plant-line-testing');
  });
  await expect(card('FCT-1')).toContainText('Today: 1 run · 0 pass · 1 fail');
  // Retested at FCT 2, it passes.
  await runDemo(b.url, 'DEMO-0042', true);
  await expect(card('FCT-2')).toContainText('Today: 1 run · 1 pass · 0 fail');
  await expect(page.getByRole('region', { name: 'Today per procedure' })).toContainText('50.0 %');

  // ICT 1 loses power: no goodbye, its heartbeat stops, and the line says so by itself.
  await c.kill9();
  await expect(card('ICT-1').locator('.plant-status')).toContainText('Silent since', { timeout: 15_000 });
  await expect(page.getByLabel('Summary')).toContainText('1 silent');
  await saveScreenshot(page, testInfo, 'plant-line-silent');

  // The unit's whole life: the failure at FCT 1, then the pass at FCT 2, in order.
  await card('FCT-2').getByRole('link', { name: 'DEMO-0042' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('DEMO-0042');
  const rows = page.locator('.plant-attempts tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('FCT 1');
  await expect(rows.nth(0)).toContainText('Fail');
  await expect(rows.nth(0)).toContainText('led_green = false');
  await expect(rows.nth(1)).toContainText('FCT 2');
  await expect(rows.nth(1)).toContainText('Pass');
  // A third attempt arrives while the page is open: it appears without a reload.
  await runDemo(a.url, 'DEMO-0042', true);
  await expect(rows).toHaveCount(3);
  await saveScreenshot(page, testInfo, 'plant-unit-life');
});

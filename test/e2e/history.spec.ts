/**
 * Results outlive the connection and the station process: the screen reconnects
 * by itself, resumes from the last event it saw, and History shows every run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WebSocketRoute } from '@playwright/test';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { StationClient } from './station-client.ts';

test('the station restarts on the same data dir: the screen reconnects and History has every run', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  let station = await StationProcess.start({ dataDir });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);

    await operator.scan('DEMO-0001');
    await expect(operator.prompt).toBeVisible();
    await page.keyboard.press('y');
    await expect(operator.result('PASS')).toBeVisible();

    await operator.scan('DEMO-FAIL-0002');
    await expect(operator.prompt).toBeVisible();
    await page.keyboard.press('y');
    await expect(operator.result('FAIL')).toBeVisible();

    await operator.scan('DEMO-0003');
    await expect(operator.prompt).toBeVisible();
    await operator.abort.click();
    await expect(operator.result('ABORTED')).toBeVisible();

    await operator.scan('DEMO-0004');
    await expect(operator.prompt).toBeVisible();
    await page.keyboard.press('y');
    await expect(operator.result('PASS')).toBeVisible();

    // Stop the station as a service manager would; the screen says so and keeps trying.
    const port = station.port;
    await station.stop();
    await expect(operator.connection).toHaveText('Reconnecting…');
    await expect(page.getByRole('alert').filter({ hasText: 'Connection to the station lost' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'reconnecting');

    station = await StationProcess.start({ dataDir, port });
    await expect(operator.connection).toHaveText('Connected');
    await expect(page.getByRole('alert').filter({ hasText: 'Connection to the station lost' })).toBeHidden();

    await page.getByRole('link', { name: 'History', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
    const runs = page.getByRole('table', { name: 'Runs' });
    const rows = runs.getByRole('row');
    // Header + 4 runs, newest first.
    await expect(rows).toHaveCount(5);
    await expect(rows.nth(1)).toContainText('DEMO-0004');
    await expect(rows.nth(1)).toContainText('Pass');
    await expect(rows.nth(2)).toContainText('DEMO-0003');
    await expect(rows.nth(2)).toContainText('Aborted');
    await expect(rows.nth(3)).toContainText('DEMO-FAIL-0002');
    await expect(rows.nth(3)).toContainText('Fail');
    await expect(rows.nth(4)).toContainText('DEMO-0001');
    await saveScreenshot(page, testInfo, 'history');

    // Serial search: any part of the number, any case.
    await page.getByLabel('Search serial number').fill('0004');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1)).toContainText('DEMO-0004');
    await page.getByLabel('Search serial number').fill('fail-00');
    await expect(rows).toHaveCount(2);
    await expect(page.getByRole('status').filter({ hasText: 'with serial containing “fail-00”' })).toBeVisible();
    await page.getByLabel('Search serial number').fill('DEMO-FAIL');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1)).toContainText('DEMO-FAIL-0002');

    await runs.getByRole('link', { name: 'DEMO-FAIL-0002' }).click();
    await expect(page).toHaveURL(/#\/runs\//);
    await expect(page.getByRole('heading', { name: 'DEMO-FAIL-0002', level: 1 })).toBeVisible();
    await expect(page.getByText('Demo board functional test', { exact: true }).last()).toBeVisible();
    await expect(page.getByRole('definition').filter({ hasText: /^[0-9a-f]{12}$/ })).toBeVisible();
    // The files that hash covers, each with its own sha256.
    const files = page.getByRole('table', { name: 'Files of the procedure' });
    await expect(files.getByRole('rowheader')).toHaveText(['phases.ts', 'procedure.yaml']);
    await expect(files.getByRole('cell').first()).toHaveText(/^[0-9a-f]{12}$/);
    const failing = page.getByRole('table', { name: 'Failing measurements' });
    await expect(failing.getByRole('row').nth(1).getByRole('rowheader')).toHaveText('v_3v3');
    const phases = page.getByRole('list', { name: 'Phases of this run' });
    await expect(phases.getByRole('listitem')).toHaveCount(7);
    // Failing first inside the phase, highlighted; logs with their level and source.
    const rail = phases.getByRole('listitem').filter({ hasText: 'rail_3v3' });
    await expect(
      rail
        .getByRole('table', { name: /^Measurements of/ })
        .getByRole('row')
        .nth(1),
    ).toContainText('v_3v3');
    await expect(page.getByRole('table', { name: /^Log of/ }).first()).toContainText('testing DEMO-FAIL-0002');
    await saveScreenshot(page, testInfo, 'run-page');
    await rail.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'run-page-phases');

    await page.getByRole('link', { name: '← History' }).click();
    await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('a dropped connection shows Reconnecting… and resumes after the last event seen: nothing lost', async ({ page, station }) => {
  let blocked = false;
  const routes: WebSocketRoute[] = [];
  /** Every `subscribe` frame the page sent, and the last event seq it was sent. */
  const subscribes: { afterSeq?: number }[] = [];
  let lastSeqDelivered = 0;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (blocked) {
      void ws.close();
      return;
    }
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const frame = JSON.parse(String(m)) as { type: string; afterSeq?: number };
      if (frame.type === 'subscribe') subscribes.push(frame);
      server.send(m);
    });
    server.onMessage((m) => {
      const frame = JSON.parse(String(m)) as { type: string; event?: { seq: number } };
      if (frame.type === 'event' && frame.event) lastSeqDelivered = frame.event.seq;
      ws.send(m);
    });
    routes.push(ws);
  });

  const operator = new OperatorScreen(page);
  await operator.open(station.url);
  await operator.scan('DEMO-0005');
  await expect(operator.prompt).toBeVisible();
  await expect(operator.phase('5.0 V rail')).toContainText('Pass');

  blocked = true;
  for (const r of routes.splice(0)) await r.close();
  const seqBeforeDrop = lastSeqDelivered;
  await expect(operator.connection).toHaveText('Reconnecting…');

  // While the screen is away, another client answers the LED question: the run goes on and ends.
  const other = await StationClient.connect(station.url);
  try {
    const snap = await other.invoke('station.snapshot', {});
    const prompt = snap.sockets[0]?.prompt;
    expect(prompt?.message).toBe('Is the power LED green?');
    const ended = other.waitForEvent(snap.seq, (e) => e.kind === 'run.ended');
    await other.invoke('prompt.answer', { socket: 0, promptId: prompt!.id, answer: true });
    await ended;
  } finally {
    other.close();
  }

  blocked = false;
  await expect(operator.connection).toHaveText('Connected');
  // It asked for everything after the last event it had: no reload, no gap, no repeat.
  expect(subscribes.at(-1)?.afterSeq).toBe(seqBeforeDrop);
  await expect(operator.result('PASS')).toBeVisible();
  await expect(operator.prompt).toBeHidden();
  for (const title of ['Power LED colour', 'Firmware version', 'Power off']) await expect(operator.phase(title)).toContainText('Pass');
  await expect(operator.phase('Firmware version').getByRole('row')).toHaveCount(2);
  await expect(operator.serial).toBeFocused();
});

test('History pages by start time with Load more, newest first', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const seeded = spawnSync(process.execPath, [fileURLToPath(new URL('./seed-runs.ts', import.meta.url)), dataDir, '60'], { encoding: 'utf8' });
  expect(seeded.status, seeded.stderr).toBe(0);
  const station = await StationProcess.start({ dataDir });
  try {
    await page.goto(`${station.url}/#/history`);
    const rows = page.getByRole('table', { name: 'Runs' }).getByRole('row');
    // Header + the first page of 50.
    await expect(rows).toHaveCount(51);
    await expect(rows.nth(1)).toContainText('SEED-0060');
    await expect(rows.nth(50)).toContainText('SEED-0011');
    await saveScreenshot(page, testInfo, 'history-paged');

    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(rows).toHaveCount(61);
    await expect(rows.nth(51)).toContainText('SEED-0010');
    await expect(rows.nth(60)).toContainText('SEED-0001');
    await expect(page.getByRole('button', { name: 'Load more' })).toBeHidden();

    // The search narrows to a prefix and starts from the newest again.
    await page.getByLabel('Search serial number').fill('SEED-000');
    await expect(rows).toHaveCount(10);
    await expect(rows.nth(1)).toContainText('SEED-0009');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

/**
 * The supervisor page as a supervisor uses it: upload targets and their state, runs a
 * target refused (parked) sent again or dropped by the supervisor logged in, instruments with
 * a connection test, and the calibration inventory.
 */
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { ADMIN, SUPERVISOR, logIn, openAsSupervisor, seedPeople } from './people.ts';

test('parked runs are retried and dropped by the supervisor logged in; instruments answer a connection test', async ({ page }, testInfo) => {
  // The plant's receiver refuses the part number at first (a 4xx parks the run), later accepts.
  let accept = false;
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (accept) {
        received.push(String(req.headers['idempotency-key']));
        res.writeHead(201).end('{}');
      } else res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'unknown part number DEMO-PCB-01' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const dataDir = StationProcess.freshDataDir();
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      uploadTargets: [{ id: 'mes', kind: 'http', url: `http://127.0.0.1:${port}/runs` }],
      uploadRetry: { firstDelayMs: 200, maxDelayMs: 400 },
    }),
  );
  const station = await StationProcess.start({ dataDir });
  // The first admin and a supervisor, made over the API; this client acts as the admin.
  const client = await seedPeople(station.url);
  try {
    await client.invoke('calibration.set', {
      maker: 'Passline',
      model: 'SIM-DMM',
      serial: 'DMM-0001',
      dueDate: '2020-01-31',
      note: 'sent to the lab',
    });

    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    for (const serial of ['DEMO-0001', 'DEMO-0002']) {
      await operator.scan(serial);
      await expect(operator.prompt).toBeVisible();
      await page.keyboard.press('y');
      await expect(operator.result('PASS')).toBeVisible();
    }

    // The supervisor logs in with badge and PIN; the Supervisor page is theirs.
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Supervisor' })).toHaveCount(0);
    await logIn(page, station.url, SUPERVISOR);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Supervisor' }).click();
    await expect(page.getByRole('heading', { name: 'Supervisor', level: 1 })).toBeFocused();

    const targets = page.getByRole('table', { name: 'Upload targets' });
    const mes = targets.getByRole('row').filter({ hasText: 'mes' });
    await expect(mes).toContainText('http');
    await expect(mes.getByRole('cell').nth(3)).toHaveText('2');
    await expect(mes).toContainText('HTTP 422');

    const parked = page.getByRole('table', { name: 'Parked runs' });
    await expect(parked.getByRole('row')).toHaveCount(3);
    await expect(parked.getByRole('row').filter({ hasText: 'DEMO-0001' })).toContainText('unknown part number DEMO-PCB-01');
    await saveScreenshot(page, testInfo, 'supervisor-page');

    // The receiver is fixed; the supervisor sends DEMO-0001 again (the station records who from the session).
    accept = true;
    await parked.getByRole('button', { name: 'Retry DEMO-0001 to mes' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'DEMO-0001 is sent to mes again.' })).toBeVisible();
    await expect(parked.getByRole('row')).toHaveCount(2);
    await expect.poll(() => received.length).toBe(1);
    await expect(mes.getByRole('cell').nth(3)).toHaveText('1');

    // DEMO-0002 is dropped, with a reason.
    await parked.getByRole('button', { name: 'Drop DEMO-0002 from mes' }).click();
    const reason = page.getByLabel('Reason for dropping DEMO-0002');
    await expect(reason).toBeFocused();
    await reason.fill('entered in the MES by hand');
    await saveScreenshot(page, testInfo, 'supervisor-drop');
    await page.getByRole('button', { name: 'Drop for good' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'DEMO-0002 will not be sent to mes' })).toBeVisible();
    await expect(page.getByText('No parked runs.')).toBeVisible();
    await expect(mes.getByRole('cell').nth(3)).toHaveText('0');

    // Instruments: a connection test reads the identity.
    const instruments = page.getByRole('table', { name: 'Instruments' });
    await expect(instruments.getByRole('row')).toHaveCount(3);
    await instruments.getByRole('button', { name: 'Test connection to psu' }).click();
    await expect(instruments.getByRole('row').filter({ hasText: 'psu' }).getByRole('status')).toContainText(/^Answered: /);

    // Calibration inventory, the past-due entry marked.
    const calibration = page.getByRole('table', { name: 'Calibration' });
    const dmm = calibration.getByRole('row').filter({ hasText: 'DMM-0001' });
    await expect(dmm).toContainText('2020-01-31 · past due');
    await expect(dmm).toContainText(`by ${ADMIN.badge}`);
    await instruments.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'supervisor-instruments');
  } finally {
    client.close();
    await station.stop();
    server.close();
    StationProcess.removeDataDir(dataDir);
  }
});

test('with nothing configured, the supervisor page says so in each section', async ({ page, station }) => {
  await openAsSupervisor(page, station.url);
  await expect(page.getByRole('heading', { name: 'Supervisor', level: 1 })).toBeVisible();
  await expect(page.getByText('No upload target is configured: results stay on this station.')).toBeVisible();
  await expect(page.getByText('No parked runs.')).toBeVisible();
  await expect(page.getByText('No instrument is in the calibration inventory.')).toBeVisible();
});

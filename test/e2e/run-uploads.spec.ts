/**
 * The run page's Uploads: one row per upload target with the run's state there
 * (delivered, parked with the target's reason, waiting for the next try after a
 * failure, not queued for a disabled target), kept current as the queue moves, and a
 * parked upload sent again by a supervisor once logged in.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { SUPERVISOR, logIn, seedPeople } from './people.ts';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'sequences');

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/runs` };
}
const close = (s: http.Server): Promise<void> => new Promise((r) => s.close(() => r()));

test('the run page shows the upload state per target and sends a parked run again under a badge', async ({ page }, testInfo) => {
  const mes = await listen((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(201).end('{}'));
  });
  // The PLM refuses the part number until someone adds it there.
  let plmAccepts = false;
  const plm = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      if (plmAccepts) res.writeHead(201).end('{}');
      else res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'unknown part number' }));
    });
  });
  // A LIMS that is down: its port reserved, then let go.
  const lims = await listen(() => {});
  await close(lims.server);
  const archive = mkdtempSync(join(tmpdir(), 'passline-archive-'));

  const dataDir = StationProcess.freshDataDir();
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      uploadTargets: [
        { id: 'mes', kind: 'http', url: mes.url },
        { id: 'plm', kind: 'http', url: plm.url },
        { id: 'lims', kind: 'http', url: lims.url },
        { id: 'archive', kind: 'folder', path: archive, enabled: false },
      ],
      // The LIMS's next try is a minute away while the page is read.
      uploadRetry: { firstDelayMs: 60_000, maxDelayMs: 120_000, jitter: 0 },
    }),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', FIXTURES, '--procedure', 'quick'] });
  (await seedPeople(station.url)).close();
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('Q-0042');
    await expect(operator.result('PASS')).toBeVisible();
    await page.getByRole('link', { name: 'Details of this run' }).click();
    await expect(page.getByRole('heading', { name: 'Q-0042', level: 1 })).toBeVisible();

    const uploads = page.getByRole('table', { name: 'Uploads of this run' });
    const row = (target: string) => uploads.getByRole('row').filter({ has: page.getByRole('rowheader').filter({ hasText: target }) });
    await expect(uploads.getByRole('row')).toHaveCount(5);
    await expect(row('mes').getByRole('cell').nth(0)).toHaveText('Delivered ✓');
    await expect(row('mes')).toContainText('The target has this run.');
    await expect(row('mes').getByRole('cell').nth(2)).toHaveText(/^Delivered\d\d:\d\d:\d\d\d{4}-\d\d-\d\d$/);

    await expect(row('plm').getByRole('cell').nth(0)).toHaveText('Parked');
    await expect(row('plm')).toContainText('HTTP 422 Unprocessable Entity: unknown part number');
    await expect(row('plm')).toContainText('Refused after 1 attempt.');

    await expect(row('lims').getByRole('cell').nth(0)).toHaveText('Waiting1 attempt failed');
    await expect(row('lims')).toContainText(/connection refused by 127\.0\.0\.1:\d+/);
    await expect(row('lims').getByRole('cell').nth(2)).toHaveText(/^Next try\d\d:\d\d:\d\din (\d+ s|\d+ min \d\d s)$/);

    await expect(row('archive').getByRole('cell').nth(0)).toHaveText('Not queued');
    await expect(row('archive')).toContainText('disabled in settings');
    await expect(row('archive')).toContainText('The target is disabled.');

    await expect(page.getByText('Delivered to 1 of 3 targets · 1 waiting · 1 parked')).toBeVisible();
    await page.getByRole('region', { name: 'Uploads' }).scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'run-page-uploads');

    // The operator cannot send it again: the row says who can, with the way to log in.
    await expect(row('plm').getByRole('button', { name: 'Retry upload to plm' })).toHaveCount(0);
    await expect(row('plm')).toContainText('A supervisor can send it again: log in');

    // The PLM knows the part number now: the supervisor logs in, back on this page, and sends it again;
    // the row turns delivered as the queue reports it.
    await logIn(page, station.url, SUPERVISOR, new URL(page.url()).hash.slice(1));
    await expect(page.getByRole('heading', { name: 'Q-0042', level: 1 })).toBeVisible();
    await saveScreenshot(page, testInfo, 'run-page-uploads-retry');
    plmAccepts = true;
    await row('plm').getByRole('button', { name: 'Retry upload to plm' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'This run is sent to plm again.' })).toBeVisible();
    await expect(row('plm').getByRole('cell').nth(0)).toHaveText('Delivered ✓');
    await expect(row('plm')).toContainText('The target has this run (after 2 attempts).');
    await expect(page.getByText('Delivered to 2 of 3 targets · 1 waiting')).toBeVisible();
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
    rmSync(archive, { recursive: true, force: true });
    await close(mes.server);
    await close(plm.server);
  }
});

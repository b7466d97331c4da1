/**
 * Uploads as the operator sees them: the header says when results cannot reach the
 * plant and how many wait, and says so no more once the receiver is back; the run
 * page exports a run in each exchange format.
 */
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'sequences');

test('offline with a run waiting, then online when the receiver comes back; the run page exports each format', async ({ page }, testInfo) => {
  // A receiver that is not there yet: its port is reserved, then let go.
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    received.push(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => res.writeHead(201).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));

  const dataDir = StationProcess.freshDataDir();
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ uploadTargets: [{ id: 'mes', kind: 'http', url: `http://127.0.0.1:${port}/runs` }], uploadRetry: { firstDelayMs: 200, maxDelayMs: 400 } }),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', FIXTURES, '--procedure', 'quick'] });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('Q-0001');
    await expect(operator.result('PASS')).toBeVisible();
    const uploads = page.getByRole('status', { name: 'Uploads' });
    await expect(uploads).toHaveText('Uploads offline · 1 waiting');
    await expect(uploads).toHaveAttribute(
      'title',
      /^mes \(http:\/\/127\.0\.0\.1:\d+\/runs\): Retrying · 1 waiting · last error: connection refused by 127\.0\.0\.1:\d+/,
    );
    await saveScreenshot(page, testInfo, 'uploads-offline');

    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await expect(uploads).toHaveText('Uploads online');
    expect(received).toHaveLength(1);
    await saveScreenshot(page, testInfo, 'uploads-online');

    await page.getByRole('link', { name: 'Details of this run' }).click();
    const exportBar = page.getByRole('group', { name: 'Export this run' });
    for (const [button, suffix, firstLine] of [
      ['Passline JSON', '.json', /^\{$/],
      ['OCP TV (JSON lines)', '.ocp.jsonl', /^\{"schemaVersion":\{"major":2,"minor":0\}/],
      ['OpenHTF JSON', '.openhtf.json', /^\{$/],
    ] as const) {
      const download = page.waitForEvent('download');
      await exportBar.getByRole('button', { name: button, exact: true }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(new RegExp(`^Q-0001_[0-9a-f-]+${suffix.replace(/\./g, '\\.')}$`));
      const text = readFileSync((await file.path())!, 'utf8');
      expect(text.split('\n')[0]).toMatch(firstLine);
      expect(text).toContain(received[0]);
    }
    await saveScreenshot(page, testInfo, 'run-page-export');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
    await new Promise<void>((r) => server.close(() => r()));
  }
});

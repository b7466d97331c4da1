/**
 * A supervisor narrows History: by result, part number, procedure, operator and
 * days, with the serial search; a filter the station refuses says why, next to it.
 */
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { StationProcess } from './station.ts';

type Outcome = 'PASS' | 'FAIL' | 'ERROR' | 'ABORTED';
const SEED: [serial: string, outcome: Outcome, part: string, procedure: string, operator: string, day: string][] = [
  ['SN-A1', 'PASS', 'PCB-01', 'demo-board', 'alice', '2026-01-10'],
  ['SN-A2', 'FAIL', 'PCB-01', 'demo-board', 'bob', '2026-01-20'],
  ['SN-B1', 'FAIL', 'PCB-02', 'power-board', 'alice', '2026-02-05'],
  ['SN-B2', 'ERROR', 'PCB-02', 'power-board', 'bob', '2026-02-10'],
];

/** Finished runs written through the station's own store (real SQLite), before the station starts. */
function seed(dataDir: string): void {
  const db = openDatabase(dataDir);
  const repo = new RunsRepo(db);
  for (const [serial, outcome, part, procedureId, operator, day] of SEED) {
    // Midday local time, so the day is the same whatever the machine's time zone.
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const started = new Date(y, m - 1, d, 12);
    const id = `run-${serial}`;
    repo.insertRun({
      id,
      stationId: 'station-1',
      socket: 0,
      appVersion: '0.1.0',
      operatorId: operator,
      procedure: {
        id: procedureId,
        name: procedureId === 'demo-board' ? 'Demo board functional test' : 'Power board test',
        version: '1.0.0',
        hash: 'seed'.padEnd(64, '0'),
      },
      unit: { serialNumber: serial, partNumber: part },
      startedAt: started.toISOString(),
    });
    repo.finishRun(id, { outcome, endedAt: new Date(started.getTime() + 3000).toISOString(), durationMs: 3000 }, [], []);
  }
  db.close();
}

test('History filters by result, part number, procedure, operator and dates; a refused filter is named', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  seed(dataDir);
  const station = await StationProcess.start({ dataDir });
  try {
    await page.goto(`${station.url}/#/history`);
    const rows = page.getByRole('table', { name: 'Runs' }).getByRole('row');
    const serials = async (): Promise<string[]> =>
      (await rows.getByRole('rowheader').getByRole('link').filter({ hasNotText: 'all attempts' }).allTextContents()).map((s) => s.trim());
    await expect(rows).toHaveCount(5);

    await page.getByLabel('Result', { exact: true }).selectOption({ label: 'Fail' });
    await expect(rows).toHaveCount(3);
    await expect.poll(serials).toEqual(['SN-B1', 'SN-A2']);

    await page.getByLabel('Part number', { exact: true }).fill('PCB-02');
    await expect(rows).toHaveCount(2);
    await expect.poll(serials).toEqual(['SN-B1']);
    await expect(page.getByRole('status').filter({ hasText: '1 run matching the filters' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'history-filters');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(rows).toHaveCount(5);
    await expect(page.getByLabel('Result', { exact: true })).toHaveValue('');

    await page.getByLabel('Procedure id', { exact: true }).fill('power-board');
    await expect(rows).toHaveCount(3);
    await expect.poll(serials).toEqual(['SN-B2', 'SN-B1']);
    await page.getByLabel('Procedure id', { exact: true }).fill('');

    await page.getByLabel('Operator', { exact: true }).fill('alice');
    await expect(rows).toHaveCount(3);
    await expect.poll(serials).toEqual(['SN-B1', 'SN-A1']);
    await page.getByLabel('Operator', { exact: true }).fill('');

    // Days: "To" includes the whole day chosen.
    await page.getByLabel('From', { exact: true }).fill('2026-01-15');
    await page.getByLabel('To', { exact: true }).fill('2026-02-05');
    await expect(rows).toHaveCount(3);
    await expect.poll(serials).toEqual(['SN-B1', 'SN-A2']);

    // Combined with the serial search.
    await page.getByLabel('Search serial number').fill('SN-A');
    await expect(rows).toHaveCount(2);
    await expect.poll(serials).toEqual(['SN-A2']);

    // An end before the start is named next to "To".
    await page.getByLabel('To', { exact: true }).fill('2026-01-01');
    await expect(page.getByLabel('To', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#history-to-error')).toHaveText('to: the end date is before the start date');
    await expect(page.getByRole('table', { name: 'Runs' })).toBeHidden();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(rows).toHaveCount(5);

    // The station refuses a part number longer than it stores: its message sits under that field.
    await page.getByLabel('Part number', { exact: true }).fill('P'.repeat(129));
    const partError = page.locator('#history-partNumber-error');
    await expect(partError).toContainText('partNumber:');
    await expect(page.getByLabel('Part number', { exact: true })).toHaveAttribute('aria-describedby', 'history-partNumber-error');
    await saveScreenshot(page, testInfo, 'history-filters-error');
    await page.getByLabel('Part number', { exact: true }).fill('PCB-01');
    await expect(partError).toBeHidden();
    await expect(rows).toHaveCount(3);
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

/**
 * A damaged station database as the operator and the supervisor see it: the station
 * starts, one notice says what happened, how many runs were saved and where the damaged
 * file is, under a title of its own (not "the test procedure could not be loaded").
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { openAsSupervisor } from './people.ts';

test('a run page of the database overwritten: the operator and supervisor screens say what was saved and where the file is', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const seeded = spawnSync(process.execPath, [fileURLToPath(new URL('./seed-runs.ts', import.meta.url)), dataDir, '60'], { encoding: 'utf8' });
  expect(seeded.status, seeded.stderr).toBe(0);
  // One leaf page of the runs table overwritten, as a failing sector would.
  const path = join(dataDir, 'passline.db');
  const db = new DatabaseSync(path, { readOnly: true });
  const pages = (db.prepare(`SELECT pageno FROM dbstat WHERE name = 'runs' AND pagetype = 'leaf' ORDER BY pageno`).all() as { pageno: number }[]).map(
    (r) => r.pageno,
  );
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (pages[Math.floor(pages.length / 2)]! - 1) * 4096);
  closeSync(fd);

  const station = await StationProcess.start({ dataDir });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    const notice = page
      .getByRole('alert')
      .filter({ has: page.getByRole('heading', { name: 'The station database was damaged: what could be read was saved' }) });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText(/\d+ of 60 runs saved, \d+ could not be read/);
    await expect(notice).toContainText('Damaged file kept as');
    await expect(notice).toContainText('passline.db.corrupt-');
    await expect(page.getByText('The test procedure could not be loaded')).toHaveCount(0);
    // Testing goes on: the serial field is there.
    await expect(operator.serial).toBeFocused();
    await saveScreenshot(page, testInfo, 'database-salvaged-operator');

    await openAsSupervisor(page, station.url);
    await expect(page.getByRole('heading', { name: 'The station database was damaged: what could be read was saved' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'database-salvaged-supervisor');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

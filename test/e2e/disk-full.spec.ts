/**
 * The disk filling mid-run, as the operator sees it: the station's data folder is a
 * real 4 MiB tmpfs (root, as on the station machines and CI). The run ends ERROR, never
 * PASS, and a banner says no new run can start until space is freed; it goes by itself
 * when space returns.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, saveScreenshot } from './fixtures.ts';
import { StationProcess } from './station.ts';
import { OperatorScreen } from './operator-screen.ts';

const test = base.extend<{ tinyStation: StationProcess; tinyOperator: OperatorScreen }>({
  // eslint-disable-next-line no-empty-pattern
  tinyStation: async ({}, use) => {
    const root = StationProcess.freshDataDir();
    const dataDir = join(root, 'mnt');
    mkdirSync(dataDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dataDir]);
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ minFreeBytes: 64 * 1024 }));
    const station = await StationProcess.start({ dataDir });
    try {
      await use(station);
    } finally {
      await station.stop();
      execFileSync('umount', ['-l', dataDir]);
      StationProcess.removeDataDir(root);
    }
  },
  tinyOperator: async ({ page, tinyStation }, use) => {
    const operator = new OperatorScreen(page);
    await operator.open(tinyStation.url);
    await use(operator);
  },
});

/** Fills the disk to the last page; remove the file to free the space. */
function fill(dir: string): string {
  const path = join(dir, 'filler.bin');
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 7);
  try {
    for (;;) if (writeSync(fd, page) < page.length) break;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

test('the disk fills during a run: ERROR on screen, a disk-full banner, gone when space returns', async ({ tinyOperator: operator, tinyStation, page }, testInfo) => {
  await operator.scan('DEMO-0001');
  await expect(operator.prompt).toBeVisible();
  const filler = fill(tinyStation.dataDir);
  await page.keyboard.press('y');

  await expect(operator.result('ERROR')).toBeVisible();
  await expect(operator.result('PASS')).toBeHidden();
  await expect(page.getByText(/results could not be saved: disk full/).first()).toBeVisible();
  const banner = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Disk full: no new runs until space is freed' }) });
  await expect(banner).toBeVisible();
  await saveScreenshot(page, testInfo, 'disk-full-banner');

  rmSync(filler);
  await expect(banner).toBeHidden({ timeout: 10_000 });
  await saveScreenshot(page, testInfo, 'disk-full-space-back');
});

/**
 * A typo in the settings file must not stop uploads unseen: the station keeps the last good
 * upload targets and both screens say so, the supervisor's naming the field and what is used.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { openAsSupervisor } from './people.ts';

test('a bad upload target in settings.json: the last good targets stay, the operator is told to tell the supervisor, the supervisor sees the field', async ({
  page,
}, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const settings = join(dataDir, 'settings.json');
  const targets = [{ id: 'share', kind: 'folder', path: join(dataDir, 'share') }];
  writeFileSync(settings, JSON.stringify({ uploadTargets: targets }));
  const good = await StationProcess.start({ dataDir });
  await good.stop();

  writeFileSync(settings, JSON.stringify({ uploadTargets: [{ ...targets[0], kind: 'ftp' }] }));
  const station = await StationProcess.start({ dataDir });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    const notice = page
      .getByRole('alert')
      .filter({ has: page.getByRole('heading', { name: /The station settings file has a mistake: the last good settings are in use/ }) });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('Testing goes on. Tell the supervisor.');
    await expect(operator.serial).toBeFocused();

    await openAsSupervisor(page, station.url);
    const detailed = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: /The station settings file has a mistake/ }) });
    await expect(detailed).toContainText('uploadTargets');
    await expect(detailed).toContainText('kept the last good uploadTargets (1 target: share)');
    // The target is still there, not dropped.
    await expect(page.getByText('share', { exact: true }).first()).toBeVisible();
    await saveScreenshot(page, testInfo, 'settings-notice-supervisor');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

/**
 * The station is killed (power cut, crash) while a unit waits at a question; after the
 * restart the operator screen names the unit whose run was cut off, its socket and phase,
 * and the run page has the cut phase as Aborted.
 */
import { expect, saveScreenshot, test } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';

test('after a kill -9 mid-run, the screen says which unit’s run was cut off and in which phase', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  let station = await StationProcess.start({ dataDir });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('DEMO-0005');
    await expect(operator.prompt).toBeVisible();
    const port = station.port;
    await station.kill9();
    station = await StationProcess.start({ dataDir, port });
    await expect(operator.connection).toHaveText('Connected');

    const notice = page.getByRole('alert').filter({ hasText: 'cut off when the station stopped' });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('DEMO-0005 on socket 1, during');
    await expect(notice).toContainText('recorded as Aborted. Test this unit again.');
    await saveScreenshot(page, testInfo, 'recovered-run');

    // The record keeps the phase that was running, as Aborted.
    await notice.getByRole('link', { name: 'DEMO-0005' }).click();
    await expect(page.getByRole('heading', { name: 'DEMO-0005', level: 1 })).toBeVisible();
    await expect(page.getByText('the station stopped during this phase')).toBeVisible();
    await page.goBack();
    await page.getByRole('button', { name: 'OK' }).click();
    await expect(notice).toBeHidden();
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

/**
 * A supervisor follows one unit: every attempt of its serial, oldest first,
 * reached from the run page and from History, each attempt opening its run.
 */
import { test, expect, saveScreenshot } from './fixtures.ts';

test('the unit page lists every attempt of a serial, oldest first, and opens each run', async ({ page, operator }, testInfo) => {
  await operator.scan('DEMO-FAIL-0007');
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('FAIL')).toBeVisible();

  // Another unit in between: not one of this serial's attempts.
  await operator.scan('DEMO-0008');
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();

  await operator.scan('DEMO-FAIL-0007');
  await expect(operator.prompt).toBeVisible();
  await operator.abort.click();
  await expect(operator.result('ABORTED')).toBeVisible();

  // From History: the row's "all attempts" link.
  await page.getByRole('link', { name: 'History', exact: true }).click();
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByRole('row')).toHaveCount(4);
  // The row's own link opens the run; "all attempts" (its row header names the serial) opens the unit.
  await runs.getByRole('row').filter({ hasText: 'DEMO-FAIL-0007' }).first().getByRole('link', { name: 'all attempts' }).click();
  await expect(page).toHaveURL(/#\/units\/DEMO-FAIL-0007$/);
  await expect(page.getByRole('heading', { name: 'DEMO-FAIL-0007', level: 1 })).toBeVisible();
  const attempts = page.getByRole('table', { name: 'Attempts' }).getByRole('row');
  await expect(attempts).toHaveCount(3);
  await expect(attempts.nth(1)).toContainText('Attempt 1');
  await expect(attempts.nth(1)).toContainText('Fail');
  await expect(attempts.nth(2)).toContainText('Attempt 2');
  await expect(attempts.nth(2)).toContainText('Aborted');
  await expect(page.getByRole('status').filter({ hasText: '2 attempts, oldest first; latest: aborted' })).toBeVisible();
  await saveScreenshot(page, testInfo, 'unit-page');

  // Each attempt opens its run page; the serial there leads back to the unit.
  await page.getByRole('link', { name: 'Attempt 1' }).click();
  await expect(page).toHaveURL(/#\/runs\//);
  await expect(page.getByRole('heading', { name: 'DEMO-FAIL-0007', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Failing measurements' })).toContainText('v_3v3');
  await page.getByRole('link', { name: 'All attempts of this unit' }).click();
  await expect(page).toHaveURL(/#\/units\/DEMO-FAIL-0007$/);
  await expect(attempts).toHaveCount(3);

  // Keyboard: the attempt link is reachable and Enter opens the run.
  await page.getByRole('link', { name: 'Attempt 2' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/runs\//);
  await expect(page.getByText('Aborted').first()).toBeVisible();
});

test('a serial never tested says so', async ({ page, station }) => {
  await page.goto(`${station.url}/#/units/DEMO-9999`);
  await expect(page.getByRole('heading', { name: 'DEMO-9999', level: 1 })).toBeVisible();
  await expect(page.getByText('This unit has not been tested on this station.')).toBeVisible();
});

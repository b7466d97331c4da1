/**
 * The operator's day, against the real headless station and the demo procedure
 * on simulated instruments: scan, watch, answer, read PASS/FAIL, scan the next.
 */
import { test, expect, saveScreenshot } from './fixtures.ts';
import { scannerSends } from './operator-screen.ts';

test('a serial of the wrong form is refused on the spot, showing the expected form, and the field keeps focus', async ({ operator, page }, testInfo) => {
  await expect(operator.phases.getByRole('listitem')).toHaveCount(7);
  await saveScreenshot(page, testInfo, 'operator-idle');

  await operator.scan('ABC-123');

  await expect(operator.serial).toHaveAccessibleDescription(/Expected the form DEMO-0001/);
  await expect(page.getByText(/^"ABC-123" is not a serial number for Demo board functional test/)).toBeVisible();
  await expect(operator.serial).toBeFocused();
  await expect(operator.serial).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('status', { name: 'Announcements' })).toContainText('Scan refused');
  // Nothing started: the phases are still only planned.
  await expect(page.getByText('7 planned')).toBeVisible();
  await saveScreenshot(page, testInfo, 'refused-serial');

  // The next scan replaces the refused text and is accepted.
  await operator.scan('DEMO-0007');
  await expect(operator.prompt).toBeVisible();
  await expect(operator.serial).not.toHaveAttribute('aria-invalid', 'true');
});

test('DEMO-0001: phases go live, the LED question is answered with Y, and the run ends with a big PASS', async ({ operator, page }, testInfo) => {
  await operator.scan('DEMO-0001');

  // Live: the first phases pass one after the other, each with its measurements and limits.
  const rail = operator.phase('3.3 V rail');
  await expect(rail).toContainText('Pass');
  await expect(rail.getByRole('table', { name: 'Measurements of 3.3 V rail' })).toContainText('v_3v3');
  await expect(rail).toContainText('3.2 … 3.4 V');
  await expect(operator.phase('Power LED colour')).toContainText('Running');
  await expect(operator.phase('Firmware version')).toContainText('Waiting');
  await expect(operator.serial).toBeDisabled();
  await expect(operator.abort).toBeVisible();

  await expect(operator.prompt).toBeVisible();
  await expect(operator.prompt.getByRole('heading', { name: 'Is the power LED green?' })).toBeVisible();
  await expect(operator.prompt.getByRole('button', { name: 'Yes', exact: true })).toBeVisible();
  await expect(operator.prompt.getByRole('button', { name: 'No', exact: true })).toBeVisible();
  await saveScreenshot(page, testInfo, 'running-prompt');

  await page.keyboard.press('y');

  await expect(operator.result('PASS')).toBeVisible();
  await expect(operator.prompt).toBeHidden();
  for (const title of [
    'Fixture closed and instruments present',
    'Power on at 12 V',
    '3.3 V rail',
    '5.0 V rail',
    'Power LED colour',
    'Firmware version',
    'Power off',
  ]) {
    await expect(operator.phase(title)).toContainText('Pass');
  }
  await expect(page.getByRole('status', { name: 'Announcements' })).toHaveText('DEMO-0001: PASS.');
  // The next unit can be scanned at once.
  await expect(operator.serial).toBeEnabled();
  await expect(operator.serial).toBeFocused();
  await saveScreenshot(page, testInfo, 'pass');
});

test('DEMO-FAIL-0002 ends FAIL with the failing measurement v_3v3 listed first', async ({ operator, page }, testInfo) => {
  await operator.scan('DEMO-FAIL-0002');
  await operator.prompt.getByRole('button', { name: 'Yes', exact: true }).click();

  await expect(operator.result('FAIL')).toBeVisible();
  const failing = page.getByRole('table', { name: 'Failing measurements' });
  const firstRow = failing.getByRole('row').nth(1);
  await expect(firstRow.getByRole('rowheader')).toContainText('v_3v3');
  await expect(firstRow).toContainText('V');
  await expect(operator.phase('3.3 V rail')).toContainText('Fail');
  await expect(operator.phase('3.3 V rail').getByRole('row').filter({ hasText: 'v_3v3' })).toContainText('Fail');
  await expect(page.getByRole('status', { name: 'Announcements' })).toContainText('DEMO-FAIL-0002: FAIL');
  await expect(operator.serial).toBeFocused();
  await saveScreenshot(page, testInfo, 'fail');
});

test('Abort while the LED question is open ends the run ABORTED within 1 s of the click', async ({ operator, page }, testInfo) => {
  await operator.scan('DEMO-0003');
  await expect(operator.prompt).toBeVisible();

  // Time it in the page: from the click to the banner in the DOM, without the test runner's polling.
  // Browser-side code as a string: this file is type-checked without DOM types.
  await page.evaluate(`(() => {
    const t = (window.abortTiming = {});
    document.addEventListener('click', () => (t.clickAt ??= performance.now()), true);
    new MutationObserver(() => {
      if (t.bannerAt === undefined && [...document.querySelectorAll('h2')].some((h) => h.textContent === 'ABORTED')) t.bannerAt = performance.now();
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  })()`);
  await operator.abort.click();

  await expect(operator.result('ABORTED')).toBeVisible();
  const t = (await page.evaluate('window.abortTiming')) as { clickAt: number; bannerAt: number };
  const ms = t.bannerAt - t.clickAt;
  testInfo.annotations.push({ type: 'abort click → ABORTED banner', description: `${ms.toFixed(0)} ms` });
  console.log(`abort: click → ABORTED banner in ${ms.toFixed(0)} ms`);
  expect(ms).toBeLessThan(1000);

  await expect(page.getByText(/abort/i).first()).toBeVisible();
  await expect(operator.phase('Power LED colour')).toContainText('Aborted');
  await expect(operator.phase('Firmware version')).not.toContainText('Pass');
  await expect(operator.serial).toBeFocused();
  await saveScreenshot(page, testInfo, 'aborted');
});

test('keyboard only: scan, answer, abort with Escape, then open the run from History', async ({ operator, page }) => {
  // Focus is already in the serial field after load: a scanner just types (at its own pace,
  // as scannerSends stamps the keys; Playwright's typing stretches on a loaded machine, and a
  // pause after the first key reads as a person typing before a scan, which replaces it).
  await scannerSends(page, 'DEMO-0042');
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('n');
  // "No" to the LED question: led_green fails.
  await expect(operator.result('FAIL')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Failing measurements' })).toContainText('led_green');

  await expect(operator.serial).toBeFocused();
  await scannerSends(page, 'DEMO-0043');
  await expect(operator.prompt).toBeVisible();
  await expect(page.getByRole('button', { name: 'Abort' })).toHaveAttribute('aria-keyshortcuts', 'Escape');
  await page.keyboard.press('Escape');
  await expect(operator.result('ABORTED')).toBeVisible();
  await expect(operator.serial).toBeFocused();

  // Back through the header (Log in, then the navigation: no Supervisor for an operator) to History,
  // then into the newest run.
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('link', { name: 'Log in', exact: true })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('link', { name: 'History', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeFocused();
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByRole('row')).toHaveCount(3);
  await page.keyboard.press('Tab'); // search box
  await expect(page.getByLabel('Search serial number')).toBeFocused();
  // On past the filters (a date input takes one Tab per part) to the newest run's serial.
  const newest = runs.getByRole('link', { name: 'DEMO-0043', exact: true });
  for (let i = 0; i < 20 && !(await newest.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(newest).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'DEMO-0043', level: 1 })).toBeVisible();
  await expect(page.getByText('operator aborted', { exact: false }).first()).toBeVisible();
});

test('a scan typed while focus is elsewhere still lands in the serial field', async ({ operator, page }) => {
  // The operator clicked on the phase list; the scanner keeps typing.
  await operator.phases.click();
  await expect(operator.serial).not.toBeFocused();
  await page.keyboard.type('DEMO-0100');
  await expect(operator.serial).toBeFocused();
  await expect(operator.serial).toHaveValue('DEMO-0100');
});

test('away from the station screen, an open question is flagged in the header and one step away', async ({ operator, page }) => {
  await operator.scan('DEMO-0300');
  await expect(operator.prompt).toBeVisible();
  await page.getByRole('link', { name: 'History', exact: true }).click();
  await page.getByRole('link', { name: 'Question waiting' }).click();
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
});

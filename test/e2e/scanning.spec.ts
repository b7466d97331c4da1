/**
 * Keyboard-wedge scanning as it happens at a bench: a USB scanner "types" a code
 * and Enter a few milliseconds per key; an operator types at a person's pace.
 * Playwright types both with those delays into the real UI on the real station.
 */
import { expect, saveScreenshot, test } from './fixtures.ts';
import { StationClient } from './station-client.ts';
import { scannerSends } from './operator-screen.ts';

/** Between keys of a quick typist. */
const TYPIST_MS = 140;

test('a badge scanned with no field focused logs the operator in; the unit scanned next runs under that operator', async ({
  operator,
  page,
  station,
}, testInfo) => {
  // The operator clicked on the phase list: no text field has focus.
  await operator.phases.click();
  await expect(operator.serial).not.toBeFocused();
  await scannerSends(page, 'OP-4711');
  const scanner = page.getByRole('region', { name: 'Scanner' });
  await expect(scanner.getByTestId('operator')).toHaveText('Operator OP-4711');
  await expect(scanner.getByRole('status')).toHaveText('Scanned OP-4711: operator OP-4711 logged in.');
  // The badge did not land in the serial field.
  await expect(operator.serial).toHaveValue('');

  // A fixture label, then the unit, again with nothing focused.
  await operator.phases.click();
  await scannerSends(page, 'FX-0042');
  await expect(scanner.getByRole('status')).toHaveText('Scanned FX-0042: fixture FX-0042.');
  await operator.phases.click();
  await scannerSends(page, 'DEMO-0001');
  await expect(operator.prompt).toBeVisible();
  await saveScreenshot(page, testInfo, 'wedge-scan-running');
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();

  const client = await StationClient.connect(station.url);
  try {
    const { runs } = await client.invoke('runs.list', { limit: 1 });
    const rec = await client.invoke('runs.get', { runId: runs[0]!.id });
    expect(rec.operatorId).toBe('OP-4711');
    expect(rec.fixtureId).toBe('FX-0042');
  } finally {
    client.close();
  }
  await saveScreenshot(page, testInfo, 'wedge-scan-pass');
});

test('a badge scanned while the serial field has focus logs in instead of being refused as a serial', async ({ operator, page }) => {
  await expect(operator.serial).toBeFocused();
  await scannerSends(page, 'OP-0007');
  await expect(page.getByRole('region', { name: 'Scanner' }).getByTestId('operator')).toHaveText('Operator OP-0007');
  await expect(operator.serial).toHaveValue('');
  await expect(operator.serial).toBeFocused();
  await expect(page.getByText('is not a serial number')).toHaveCount(0);
});

test('ordinary typing is not a scan: a badge id typed by hand goes into the serial field, keystroke by keystroke', async ({ operator, page }, testInfo) => {
  await operator.phases.click();
  await expect(operator.serial).not.toBeFocused();
  await page.keyboard.type('OP-47', { delay: TYPIST_MS });
  // Each key shows up as it is typed, in the field that waits for a unit.
  await expect(operator.serial).toBeFocused();
  await expect(operator.serial).toHaveValue('OP-47');
  await page.keyboard.type('11', { delay: TYPIST_MS });
  await page.waitForTimeout(TYPIST_MS); // the pause before a person presses Enter
  await page.keyboard.press('Enter');
  // Entered as typed: a serial of the wrong form, refused in place; nobody logged in.
  await expect(page.getByText('"OP-4711" is not a serial number for Demo board functional test').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Scanner' })).toHaveCount(0);
  await saveScreenshot(page, testInfo, 'typed-not-scanned');
});

test('a unit serial typed by hand with nothing focused still starts the test', async ({ operator, page }) => {
  await operator.phases.click();
  await page.keyboard.type('DEMO-0002', { delay: TYPIST_MS });
  await expect(operator.serial).toHaveValue('DEMO-0002');
  await page.keyboard.press('Enter');
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
});

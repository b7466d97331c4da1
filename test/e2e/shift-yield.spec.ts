/**
 * The operator's header shows this shift's first pass yield and unit count, small, and follows
 * each run as it ends: the real headless station, the demo procedure, a PASS then a FAIL.
 */
import { test, expect, saveScreenshot } from './fixtures.ts';

test('the shift figure in the header: 1 unit at 100 %, then 2 units at 50 %', async ({ operator, page }, testInfo) => {
  const shift = page.getByRole('status', { name: 'This shift' });
  await expect(shift).toContainText('0 units');

  await operator.scan('DEMO-0001');
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
  await expect(shift).toContainText('100 % first pass · 1 unit');

  await operator.scan('DEMO-FAIL-0002');
  await operator.prompt.getByRole('button', { name: 'Yes', exact: true }).click();
  await expect(operator.result('FAIL')).toBeVisible();
  await expect(shift).toContainText('50 % first pass · 2 units');
  await expect(shift).toContainText(/^Shift [ABC]/i);
  await saveScreenshot(page, testInfo, 'header-shift-yield');
});

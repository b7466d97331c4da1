/**
 * Every kind of operator question, answered from the keyboard alone, on the
 * shipped example procedure (sequences/example-prompts).
 */
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen, scannerSends } from './operator-screen.ts';
import { StationProcess } from './station.ts';

test('confirm, yes-no with a picture, pass-fail, text, number, choice, multi-choice and a question that gives up', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const station = await StationProcess.start({ dataDir, args: ['--procedure', 'example-prompts'] });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await page.keyboard.type('EX-1');
    await page.keyboard.press('Enter');

    const question = (text: string | RegExp) => operator.prompt.getByRole('heading', { name: text });

    // confirm: OK has focus, Enter answers.
    await expect(question('Insert the board into the fixture and close the lid.')).toBeVisible();
    await expect(operator.prompt.getByRole('button', { name: 'OK', exact: true })).toBeFocused();
    await page.keyboard.press('Enter');

    // yes-no with a reference picture.
    await expect(question('Is the power LED green?')).toBeVisible();
    await expect(operator.prompt.getByRole('img', { name: 'Reference for this question' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'prompt-image');
    await page.keyboard.press('y');

    // pass-fail. A label scanned now (with a P and an F in it) is a scan, refused, not an answer.
    await expect(question('Did the buzzer sound twice?')).toBeVisible();
    await expect(operator.prompt.getByRole('button', { name: 'Pass', exact: true })).toBeVisible();
    await scannerSends(page, 'EX-PF1');
    await expect(page.getByRole('region', { name: 'Scanner' }).getByRole('alert')).toHaveText(/Scan EX-PF1 refused: .*finish or abort this unit first/);
    await expect(question('Did the buzzer sound twice?')).toBeVisible();
    await page.keyboard.press('p');

    // text with a pattern: a wrong answer is refused next to the field, then corrected.
    await expect(question('Scan the label on the box.')).toBeVisible();
    const answer = operator.prompt.getByLabel('Answer', { exact: true });
    await expect(answer).toBeFocused();
    await page.keyboard.type('LBL-12');
    await page.keyboard.press('Enter');
    await expect(answer).toHaveAccessibleDescription(/does not have the expected form/);
    await expect(answer).toBeFocused();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('LBL-123456');
    await page.keyboard.press('Enter');

    // number with units and range.
    await expect(question('Read the ripple on the scope.')).toBeVisible();
    const value = operator.prompt.getByLabel('Value (mV)');
    await expect(value).toBeFocused();
    await expect(operator.prompt).toContainText('Between 0 and 1000 mV.');
    await page.keyboard.type('12.5');
    await saveScreenshot(page, testInfo, 'prompt-number');
    await page.keyboard.press('Enter');

    // choice: number keys pick; a scanned label's digits do not.
    await expect(question('Which enclosure colour is fitted?')).toBeVisible();
    await scannerSends(page, 'EX-21', { suffix: 'Tab' });
    await expect(page.getByRole('region', { name: 'Scanner' }).getByRole('alert')).toHaveText(/Scan EX-21 refused/);
    await expect(question('Which enclosure colour is fitted?')).toBeVisible();
    await expect(operator.prompt.getByRole('button', { name: 'grey' })).toHaveAttribute('aria-keyshortcuts', '2');
    await saveScreenshot(page, testInfo, 'prompt-choice');
    await page.keyboard.press('1');

    // multi-choice: number keys tick, Enter is Done.
    await expect(question('Which accessories are in the box?')).toBeVisible();
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await expect(operator.prompt.getByRole('checkbox', { name: 'cable' })).toBeChecked();
    await expect(operator.prompt.getByRole('checkbox', { name: 'manual' })).toBeChecked();
    await expect(operator.prompt.getByRole('checkbox', { name: 'antenna' })).not.toBeChecked();
    await saveScreenshot(page, testInfo, 'prompt-multi');
    await page.keyboard.press('Enter');

    // A question with a timeout shows its countdown and closes by itself.
    await expect(question(/is the box dented/)).toBeVisible();
    await expect(operator.prompt).toContainText(/Closes in \d s/);
    await expect(operator.result('PASS')).toBeVisible({ timeout: 15_000 });

    const readings = operator.phase('Operator readings');
    await expect(readings.getByRole('row').filter({ hasText: 'ripple_mv' })).toContainText('12.5');
    await expect(readings.getByRole('row').filter({ hasText: 'colour' })).toContainText('black');
    await expect(readings.getByRole('row').filter({ hasText: 'label' })).toContainText('LBL-123456');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

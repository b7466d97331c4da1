/**
 * A scan is a scan: each label the scanner ends (Enter or Tab) is one code, routed to a
 * free socket or the badge login, or refused with a reason on screen. It never answers a
 * question, never joins another label or typed text, and never vanishes.
 */
import type { Page } from '@playwright/test';
import { expect, saveScreenshot, test } from './fixtures.ts';
import { OperatorScreen, scannerSends } from './operator-screen.ts';
import { StationClient } from './station-client.ts';
import { StationProcess } from './station.ts';

const scanner = (page: Page) => page.getByRole('region', { name: 'Scanner' });

async function serialsRun(url: string): Promise<string[]> {
  const client = await StationClient.connect(url);
  try {
    const { runs } = await client.invoke('runs.list', { limit: 20 });
    return runs.map((r) => r.serialNumber).sort();
  } finally {
    client.close();
  }
}

test('two labels scanned 30 ms apart start the first unit and refuse the second; no run for both glued together', async ({ operator, page, station }) => {
  await scannerSends(page, ['DEMO-0101', 'DEMO-0102'], { gapMs: 30 });
  await expect(operator.prompt).toBeVisible();
  await expect(operator.scope.getByText('Testing DEMO-0101…')).toBeVisible();
  await expect(scanner(page).getByRole('alert')).toHaveText(/Scan DEMO-0102 refused: .*DEMO-0101.*finish or abort this unit first/);
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
  expect(await serialsRun(station.url)).toEqual(['DEMO-0101']);
});

test('a label scanned during a Yes/No question does not answer it; a badge logs in; a second label later is refused on screen', async ({
  operator,
  page,
  station,
}, testInfo) => {
  await scannerSends(page, 'DEMO-0201');
  await expect(operator.prompt).toBeVisible();
  // A label with an N (and one with a Y) at scanner speed: neither is an answer.
  await scannerSends(page, 'DEMO-N0110');
  await expect(scanner(page).getByRole('alert')).toHaveText(/Scan DEMO-N0110 refused: .*finish or abort this unit first/);
  await scannerSends(page, 'DEMO-Y0111');
  await expect(scanner(page).getByRole('alert')).toHaveText(/Scan DEMO-Y0111 refused/);
  await expect(operator.prompt.getByRole('heading', { name: 'Is the power LED green?' })).toBeVisible();
  await saveScreenshot(page, testInfo, 'scan-refused-during-run');
  // A badge during the run logs the operator in.
  await scannerSends(page, 'OP-0042');
  await expect(scanner(page).getByTestId('operator')).toHaveText('Operator OP-0042');
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();

  // A second label a moment after the first: the first starts, the second is refused, visibly.
  await scannerSends(page, 'DEMO-0301');
  await page.waitForTimeout(200);
  await scannerSends(page, 'DEMO-0302');
  await expect(scanner(page).getByRole('alert')).toHaveText(/Scan DEMO-0302 refused: .*DEMO-0301/);
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
  expect(await serialsRun(station.url)).toEqual(['DEMO-0201', 'DEMO-0301']);
});

test('a scanner with a Tab suffix: each label starts its unit, and the next label is not appended', async ({ operator, page, station }) => {
  await scannerSends(page, 'DEMO-0001', { suffix: 'Tab' });
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
  await scannerSends(page, 'DEMO-0002', { suffix: 'Tab' });
  await expect(operator.scope.getByText('Testing DEMO-0002…')).toBeVisible();
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('y');
  await expect(operator.result('PASS')).toBeVisible();
  expect(await serialsRun(station.url)).toEqual(['DEMO-0001', 'DEMO-0002']);
});

test('a label scanned over typed text replaces it; after an abort the Y meant for the gone question is not typed', async ({ operator, page }) => {
  await page.keyboard.type('y', { delay: 140 });
  await expect(operator.serial).toHaveValue('y');
  await scannerSends(page, 'DEMO-0401');
  await expect(operator.scope.getByText('Testing DEMO-0401…')).toBeVisible();
  await expect(operator.prompt).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(operator.result('ABORTED')).toBeVisible();
  await page.keyboard.press('y');
  await page.waitForTimeout(300);
  await expect(operator.serial).toHaveValue('');
});

test('refusals speak plainly: too long, an invisible character, small letters', async ({ operator, page }, testInfo) => {
  await operator.serial.fill(`DEMO-${'1'.repeat(124)}`);
  await operator.serial.press('Enter');
  await expect(operator.serial).toHaveAccessibleDescription(/^A serial number has at most 128 characters\./);
  await expect(page.getByText('serialNumber')).toHaveCount(0);

  await scannerSends(page, 'DEMO-\u200b0001');
  await expect(operator.serial).toHaveAccessibleDescription(/"DEMO-0001" contains an invisible character \(zero-width space, U\+200B\) after "DEMO-"/);
  await saveScreenshot(page, testInfo, 'scan-invisible-character');

  await scannerSends(page, 'demo-0001');
  await expect(operator.serial).toHaveAccessibleDescription(/"demo-0001" is in small letters: .* in capitals, like DEMO-0001\. Is Caps Lock on\?/);
  await expect(operator.prompt).toHaveCount(0);
});

test('two sockets: labels go to free sockets; Y/N say which socket they answer and move on to the next question', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const station = await StationProcess.start({ dataDir, args: ['--sockets', '2'] });
  try {
    const one = new OperatorScreen(page, 1);
    const two = new OperatorScreen(page, 2);
    await one.open(station.url);
    await scannerSends(page, 'DEMO-0601');
    await expect(one.prompt).toBeVisible();
    // Socket 1 asks its question: the next unit goes to socket 2, which is free.
    await scannerSends(page, 'DEMO-0602');
    await expect(two.prompt).toBeVisible();
    await expect(one.prompt.getByText('Y / N answer socket 1')).toBeVisible();
    await saveScreenshot(page, testInfo, 'two-sockets-keys-hint');

    await page.keyboard.press('y');
    await expect(one.result('PASS')).toBeVisible();
    await expect(two.prompt).toBeVisible();
    await expect(two.prompt.getByText('Y / N answer socket 2')).toBeVisible();
    await expect(two.prompt).toBeFocused();
    await page.keyboard.press('y');
    await expect(two.result('PASS')).toBeVisible();

    // Two more labels in one go: one unit per socket (the focused one first), nothing glued.
    await scannerSends(page, ['DEMO-0603', 'DEMO-0604'], { gapMs: 30 });
    await expect(page.getByText('Testing DEMO-0603…')).toBeVisible();
    await expect(page.getByText('Testing DEMO-0604…')).toBeVisible();
    await expect(one.prompt).toBeVisible();
    await expect(two.prompt).toBeVisible();
    await page.keyboard.press('y');
    await expect(page.getByRole('dialog')).toHaveCount(1);
    await page.keyboard.press('y');
    await expect(one.result('PASS')).toBeVisible();
    await expect(two.result('PASS')).toBeVisible();
    expect(await serialsRun(station.url)).toEqual(['DEMO-0601', 'DEMO-0602', 'DEMO-0603', 'DEMO-0604']);
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

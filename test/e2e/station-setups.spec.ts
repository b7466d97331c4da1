/**
 * Station set-ups other than the one-socket demo: several sockets side by side,
 * and a procedure that does not load.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';

test('two sockets: one panel each, side by side, each with its own serial field and verdict', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const station = await StationProcess.start({ dataDir, args: ['--sockets', '2'] });
  try {
    const one = new OperatorScreen(page, 1);
    const two = new OperatorScreen(page, 2);
    await page.goto(station.url);
    await expect(one.serial).toBeVisible();
    await expect(two.serial).toBeVisible();
    await expect(one.serial).toBeFocused();
    const a = await one.scope.boundingBox();
    const b = await two.scope.boundingBox();
    expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);

    await two.scan('DEMO-0201');
    await expect(two.prompt).toBeVisible();
    await expect(one.prompt).toHaveCount(0);
    await expect(one.serial).toBeEnabled();
    await saveScreenshot(page, testInfo, 'two-sockets-running');
    // The question belongs to socket 2 (focus is in its panel): Y answers it.
    await page.keyboard.press('y');
    await expect(two.result('PASS')).toBeVisible();
    await expect(one.result('PASS')).toHaveCount(0);

    await one.scan('DEMO-FAIL-0202');
    await one.prompt.getByRole('button', { name: 'Yes', exact: true }).click();
    await expect(one.result('FAIL')).toBeVisible();
    await expect(two.result('PASS')).toBeVisible();
    await saveScreenshot(page, testInfo, 'two-sockets');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('a procedure that does not load is shown as an error with file and line, not as a serial field', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(join(sequences, 'broken'), { recursive: true });
  writeFileSync(
    join(sequences, 'broken', 'procedure.yaml'),
    ['id: broken', 'name: Broken board test', 'version: 1.0.0', 'phases:', '  - name: first', '    timeoutMs: -5', ''].join('\n'),
  );
  writeFileSync(join(sequences, 'broken', 'phases.ts'), 'export async function first(): Promise<void> {}\n');
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'broken'] });
  try {
    await page.goto(station.url);
    const panel = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'The test procedure could not be loaded' }) });
    await expect(panel).toBeVisible();
    await expect(panel).toContainText(/procedure\.yaml:6: phases\.0\.timeoutMs/);
    await expect(page.getByLabel('Serial number')).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'procedure-error');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

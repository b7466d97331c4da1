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

test('a phase that throws ends the run ERROR (amber), with the reason: a broken station, not a bad unit', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(join(sequences, 'clamp'), { recursive: true });
  writeFileSync(
    join(sequences, 'clamp', 'procedure.yaml'),
    [
      'id: clamp',
      'name: Clamp fixture test',
      'version: 2.1.0',
      "serialPattern: '^CL-[0-9]+$'",
      'serialExample: CL-1001',
      'phases:',
      '  - name: supply_check',
      '    title: Supply voltage',
      '    measurements:',
      '      - name: vin',
      '        units: V',
      '        lower: 11.5',
      '        upper: 12.5',
      '  - name: clamp_sensor',
      '    title: Clamp sensor',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(sequences, 'clamp', 'phases.ts'),
    [
      'interface Ctx { measure(name: string, value: number): unknown }',
      'export function supply_check(ctx: Ctx): void {',
      "  ctx.measure('vin', 12.02);",
      '}',
      'export function clamp_sensor(): void {',
      "  throw new Error('clamp sensor does not answer on the fixture bus');",
      '}',
      '',
    ].join('\n'),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'clamp'] });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('CL-1001');
    await expect(operator.result('ERROR')).toBeVisible();
    await expect(operator.phase('Clamp sensor')).toContainText('Error');
    await expect(operator.phase('Clamp sensor')).toContainText('clamp sensor does not answer on the fixture bus');
    await expect(operator.phase('Supply voltage')).toContainText('Pass');
    await expect(operator.serial).toBeFocused();
    await saveScreenshot(page, testInfo, 'error');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

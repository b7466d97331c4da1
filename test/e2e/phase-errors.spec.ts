/**
 * A broken procedure as the operator and the test engineer see it: a measurement
 * procedure.yaml does not declare reads "Not declared" (never Pass), and a phase that
 * throws names the file and line in its code, on the operator screen and the run page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';

test('an undeclared measurement and a throw: ERROR, "Not declared", and the line of phases.ts on both screens', async ({ page }, testInfo) => {
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
      'interface Ctx { measure(name: string, value: number, opts?: { units?: string }): unknown }',
      'export function supply_check(ctx: Ctx): void {',
      "  ctx.measure('vin_main', 12.02, { units: 'V' });",
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

    const supply = operator.phase('Supply voltage');
    await expect(supply).toContainText(
      'Not declared: measurement "vin_main" is not declared in procedure.yaml for this phase (it declares vin) at phases.ts:3',
    );
    const row = supply.getByRole('row').filter({ hasText: 'vin_main' });
    await expect(row).toContainText('12.02 V');
    await expect(row).toContainText('not declared in procedure.yaml');
    await expect(row).toContainText('Not declared');
    await expect(row).not.toContainText('Pass');
    await expect(operator.phase('Clamp sensor')).toContainText('Error: clamp sensor does not answer on the fixture bus at phases.ts:6');
    await saveScreenshot(page, testInfo, 'operator');

    await page.getByRole('link', { name: 'Details of this run' }).click();
    await expect(page).toHaveURL(/#\/runs\//);
    const phases = page.getByRole('list', { name: 'Phases of this run' });
    const clamp = phases.getByRole('listitem').filter({ hasText: 'clamp_sensor' });
    await expect(clamp).toContainText('Error: clamp sensor does not answer on the fixture bus at phases.ts:6');
    await clamp.getByText('Stack trace').click();
    await expect(clamp.locator('pre')).toContainText(/at clamp_sensor \(file:\/\/\S+\/clamp\/phases\.ts:6:9\)/);
    // The stack is in the phase's log too, with the line as its source.
    await expect(clamp.getByRole('table', { name: /^Log of/ })).toContainText('phases.ts:6');
    const failing = page.getByRole('table', { name: 'Failing measurements' });
    await expect(failing.getByRole('row').filter({ hasText: 'vin_main' })).toContainText('not declared in procedure.yaml: no limits to check it against');
    await clamp.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'run-page');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

/**
 * A start the station refuses because an instrument is past its calibration date:
 * the operator screen asks for a supervisor's badge and PIN and starts the unit once approved.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { SUPERVISOR, seedPeople } from './people.ts';

test('calibration past due: a supervisor badge and PIN (another badge, or a wrong PIN, is refused) approve the start', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const station = await StationProcess.start({ dataDir });
  // The first admin, a supervisor and an operator, made over the API; this client acts as the admin.
  const client = await seedPeople(station.url, [SUPERVISOR, { badge: 'OP-1', name: 'Olga Operator', role: 'operator' }]);
  try {
    // The meter the demo uses, as it identifies itself, was due long ago.
    const { instruments } = await client.invoke('instruments.list', {});
    const dmm = instruments.find((i) => i.name === 'dmm')?.identity;
    expect(dmm).toBeDefined();
    await client.invoke('calibration.set', { maker: dmm!.maker, model: dmm!.model, serial: dmm!.serial, dueDate: '2020-01-31' });

    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('DEMO-0042');
    const panel = page.getByRole('region', { name: 'Supervisor approval' });
    await expect(panel).toContainText('Calibration past due');
    await expect(panel).toContainText('2020-01-31');
    await expect(operator.prompt).toBeHidden();

    // A badge without its PIN: nothing is sent, the panel says what is missing.
    await panel.getByLabel('Supervisor badge').fill(SUPERVISOR.badge);
    await panel.getByRole('button', { name: 'Approve and start' }).click();
    await expect(panel.getByRole('alert')).toHaveText('The supervisor enters their PIN as well.');

    // Someone who is not a supervisor: refused by the station, the panel stays.
    await panel.getByLabel('Supervisor badge').fill('OP-1');
    await panel.getByLabel('Supervisor PIN').fill('1234');
    await panel.getByRole('button', { name: 'Approve and start' }).click();
    await expect(panel.getByRole('alert')).toBeVisible();
    await expect(panel.getByLabel('Supervisor badge')).toHaveAttribute('aria-invalid', 'true');
    await expect(panel.getByLabel('Supervisor PIN')).toHaveValue('');
    await saveScreenshot(page, testInfo, 'supervisor-approval');

    // The supervisor with a wrong PIN: refused too.
    await panel.getByLabel('Supervisor badge').fill(SUPERVISOR.badge);
    await panel.getByLabel('Supervisor PIN').fill('1111');
    await panel.getByRole('button', { name: 'Approve and start' }).click();
    await expect(panel.getByLabel('Supervisor PIN')).toHaveValue('');
    await expect(operator.prompt).toBeHidden();

    await panel.getByLabel('Supervisor PIN').fill(SUPERVISOR.pin);
    await panel.getByLabel('Reason (optional)').fill('meter checked against the reference today');
    await panel.getByRole('button', { name: 'Approve and start' }).click();
    await expect(operator.prompt).toBeVisible();
    await expect(panel).toBeHidden();
    await page.keyboard.press('y');
    await expect(operator.result('PASS')).toBeVisible();

    // The run carries the approval.
    const { runs } = await client.invoke('units.history', { serialNumber: 'DEMO-0042' });
    const record = await client.invoke('runs.get', { runId: runs[0]!.id });
    expect(record.overrides?.[0]).toMatchObject({ kind: 'calibration.overdue', by: 'SUP-7', reason: 'meter checked against the reference today' });
  } finally {
    client.close();
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('retest rules: a passed unit asks "Test again", a unit over its failure limit needs a supervisor', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(join(sequences, 'retest'), { recursive: true });
  writeFileSync(
    join(sequences, 'retest', 'procedure.yaml'),
    [
      'id: retest',
      'name: Retest rules',
      'version: 1.0.0',
      "serialPattern: '^RT-[0-9]+(-FAIL)?$'",
      'serialExample: RT-1',
      'retest:',
      '  flagPassed: true',
      '  maxFailedAttempts: 1',
      'phases:',
      '  - name: check',
      '    measurements:',
      '      - name: ok',
      '        lower: 1',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(sequences, 'retest', 'phases.ts'),
    [
      'interface Ctx { unit: { serialNumber: string }; measure(name: string, value: number): unknown }',
      "export function check(ctx: Ctx): void { ctx.measure('ok', ctx.unit.serialNumber.endsWith('-FAIL') ? 0 : 1); }",
      '',
    ].join('\n'),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'retest'] });
  (await seedPeople(station.url)).close();
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);

    await operator.scan('RT-1');
    await expect(operator.result('PASS')).toBeVisible();
    await operator.scan('RT-1');
    const again = page.getByRole('region', { name: 'Test again?' });
    await expect(again).toContainText('RT-1 already passed Retest rules');
    await expect(again.getByRole('button', { name: 'Test again' })).toBeFocused();
    await saveScreenshot(page, testInfo, 'supervisor-approval-retest');
    await page.keyboard.press('Enter');
    await expect(again).toBeHidden();
    await expect(operator.result('PASS')).toBeVisible();

    await operator.scan('RT-2-FAIL');
    await expect(operator.result('FAIL')).toBeVisible();
    await operator.scan('RT-2-FAIL');
    const approval = page.getByRole('region', { name: 'Supervisor approval' });
    await expect(approval).toContainText('limit 1');
    await approval.getByLabel('Supervisor badge').fill(SUPERVISOR.badge);
    await approval.getByLabel('Supervisor PIN').fill(SUPERVISOR.pin);
    await approval.getByRole('button', { name: 'Approve and start' }).click();
    await expect(approval).toBeHidden();
    await expect(operator.result('FAIL')).toBeVisible();
    await page.goto(`${station.url}/#/units/RT-2-FAIL`);
    await expect(page.getByRole('table', { name: 'Attempts' }).getByRole('row')).toHaveCount(3);
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

/**
 * A start the station refuses because an instrument is past its calibration date:
 * the operator screen asks for a supervisor's badge and starts the unit once approved.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { StationClient } from './station-client.ts';

test('calibration past due: a supervisor badge (a wrong one is refused) approves the start', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ supervisors: ['SUP-7'] }));
  const station = await StationProcess.start({ dataDir });
  const client = await StationClient.connect(station.url);
  try {
    // The meter the demo uses, as it identifies itself, was due long ago.
    const { instruments } = await client.invoke('instruments.list', {});
    const dmm = instruments.find((i) => i.name === 'dmm')?.identity;
    expect(dmm).toBeDefined();
    await client.invoke('calibration.set', { maker: dmm!.maker, model: dmm!.model, serial: dmm!.serial, dueDate: '2020-01-31', by: 'SUP-7' });

    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('DEMO-0042');
    const panel = page.getByRole('region', { name: 'Supervisor approval' });
    await expect(panel).toContainText('Calibration past due');
    await expect(panel).toContainText('2020-01-31');
    await expect(operator.prompt).toBeHidden();

    // Someone who is not a supervisor: refused, named, the panel stays.
    await panel.getByLabel('Supervisor badge').fill('OP-1');
    await panel.getByRole('button', { name: 'Approve and start' }).click();
    await expect(panel.getByRole('alert')).toContainText('"OP-1" is not a supervisor badge on this station.');
    await expect(panel.getByLabel('Supervisor badge')).toHaveAttribute('aria-invalid', 'true');
    await saveScreenshot(page, testInfo, 'supervisor-approval');

    await panel.getByLabel('Supervisor badge').fill('SUP-7');
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

/**
 * The Settings screen as a supervisor uses it: a folder upload target added and tried with
 * "Send a test run", a bad URL refused beside its field (nothing saved), and the next unit's
 * run reaching the new folder with no restart.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { openAsSupervisor } from './people.ts';
import { StationProcess } from './station.ts';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'sequences');

test('a supervisor adds a folder target, sends a test run, a bad URL is refused beside its field, and the next run reaches the folder', async ({
  page,
}, testInfo) => {
  const drop = mkdtempSync(join(tmpdir(), 'passline-e2e-drop-'));
  const station = await StationProcess.start({ args: ['--sequences', FIXTURES, '--procedure', 'quick'] });
  try {
    await openAsSupervisor(page, station.url, '/settings');
    await expect(page.getByRole('heading', { name: 'Station settings' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Supervisor screens' }).getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');

    await page.getByRole('button', { name: 'Add upload target' }).click();
    const first = page.getByRole('group', { name: /^Upload target/ }).first();
    await first.getByLabel('Id').fill('mes-drop');
    await first.getByLabel('Folder').fill(drop);
    await first.getByRole('button', { name: 'Send a test run' }).click();
    await expect(first.getByRole('status')).toContainText('Test run delivered');
    expect(readdirSync(drop)).toEqual([expect.stringMatching(/^PASSLINE-TEST-RUN_passline-test-.*\.json$/)]);

    // A second target with a bad URL: refused beside its field, nothing saved.
    await page.getByRole('button', { name: 'Add upload target' }).click();
    const second = page.getByRole('group', { name: /^Upload target/ }).nth(1);
    await second.getByLabel('Kind').selectOption('http');
    await second.getByLabel('URL').fill('ftp://mes.plant.example/runs');
    await page.getByRole('button', { name: /^Save/ }).click();
    await expect(second.getByRole('alert')).toHaveText('Url must be an http:// or https:// URL');
    await expect(page.getByText('Not saved: one field is not valid')).toBeVisible();
    await saveScreenshot(page, testInfo, 'settings-refused-url');

    await second.getByRole('button', { name: 'Remove target' }).click();
    await page.getByLabel('Reason (for the audit trail)').fill('MES watches the drop folder');
    await page.getByRole('button', { name: /^Save/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'In force now' })).toHaveText('In force now: Upload targets.');
    await page.getByRole('heading', { name: 'Upload targets' }).scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'settings-saved');

    // The next unit's run goes to the new folder, with no restart.
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('Q-0042');
    await expect(operator.result('PASS')).toBeVisible();
    await expect.poll(() => readdirSync(drop).filter((f) => f.startsWith('Q-0042_')).length, { timeout: 10_000 }).toBe(1);
  } finally {
    await station.stop();
    rmSync(drop, { recursive: true, force: true });
  }
});

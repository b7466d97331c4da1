/**
 * What the operator sees when a run's runner had to be killed (its teardown runs in a
 * fresh runner: "Cleaning up…") and when phases.ts never finishes loading.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { openAsSupervisor } from './people.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/sequences', import.meta.url));

test('a phase that spins past its timeout: "Cleaning up…" while the teardown runs, scans wait, then the ERROR', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(sequences, { recursive: true });
  cpSync(join(FIXTURES, 'teardown-kill'), join(sequences, 'teardown-kill'), { recursive: true });
  // A teardown slow enough to be seen: it waits 3 s before it switches the supply off.
  writeFileSync(
    join(sequences, 'teardown-kill', 'phases.ts'),
    readFileSync(join(FIXTURES, 'teardown-kill', 'phases.ts'), 'utf8').replace(
      "if (ctx.params.tmode === 'hang') spin();",
      "if (ctx.params.tmode === 'hang') spin();\n  await new Promise((r) => setTimeout(r, 3000));",
    ),
  );
  writeFileSync(
    join(sequences, 'teardown-kill', 'procedure.yaml'),
    readFileSync(join(FIXTURES, 'teardown-kill', 'procedure.yaml'), 'utf8')
      .replace('timeoutMs: 500', 'timeoutMs: 8000')
      // The in-process simulated supply starts off in the fresh runner: no limit on what it was.
      .replace('{ name: was_on, equals: true }', '{ name: was_on }')
      .replace('params: { mode: pass }', 'params: { mode: busy }'),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'teardown-kill'] });
  try {
    const operator = new OperatorScreen(page);
    await page.goto(station.url);
    await operator.scan('K-0001');
    const cleaning = page.getByRole('status', { name: 'Cleaning up' });
    await expect(cleaning).toBeVisible({ timeout: 10_000 });
    await expect(cleaning).toContainText('Cleaning up…');
    await expect(cleaning).toContainText('K-0001');
    await expect(cleaning).toContainText(/main_phase was stopped: phase did not return within 400 ms/);
    await expect(operator.abort).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'cleaning-up');

    await expect(operator.result('ERROR')).toBeVisible({ timeout: 15_000 });
    await expect(operator.phase('power_off')).toContainText('Pass');
    await expect(operator.phase('power_off')).not.toContainText('Fail');
    await saveScreenshot(page, testInfo, 'cleaning-up-done');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('phases.ts that never finishes loading: the failed-load panel with the reason, not "Getting ready…"', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(sequences, { recursive: true });
  cpSync(join(FIXTURES, 'load-spin'), join(sequences, 'load-spin'), { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ procedureLoadTimeoutMs: 1500 }));
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'load-spin'] });
  try {
    await page.goto(station.url);
    const panel = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'The test procedure could not be loaded' }) });
    await expect(panel).toBeVisible({ timeout: 15_000 });
    await expect(panel).toContainText(/load-spin\/phases\.ts did not finish loading within 1\.5 s/);
    await expect(page.getByText('Getting ready…')).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'procedure-load-failed');
    await openAsSupervisor(page, station.url);
    await expect(page.getByRole('alert')).toContainText('did not finish loading within 1.5 s');
    await saveScreenshot(page, testInfo, 'procedure-load-failed-supervisor');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

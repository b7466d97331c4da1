/**
 * The supervisor's charts in Chromium, against the real headless station and real runs of the
 * `sweeps` fixture procedure (a frequency sweep with every-point limits, a drift at two
 * temperatures): a run's sweep plot with its failing points, and many runs' sweeps overlaid
 * from History. Screenshots go to test-results/screenshots/ to be looked at.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { StationProcess } from './station.ts';
import { SUPERVISOR, logIn, seedPeople } from './people.ts';
import type { StationClient } from './station-client.ts';

const SEQUENCES = fileURLToPath(new URL('../fixtures/sequences', import.meta.url));

/** Tests units one after another through the station's own run.start, as a scan would. */
async function testUnits(client: StationClient, serials: readonly string[], params?: Record<string, boolean>): Promise<void> {
  for (const serialNumber of serials) {
    const { seq } = await client.invoke('station.snapshot', {});
    const ended = client.waitForEvent(seq, (e) => e.kind === 'run.ended');
    await client.invoke('run.start', { socket: 0, serialNumber, ...(params ? { params } : {}) });
    await ended;
  }
}

/** Unit i of a line: every sixth an AMP-9… serial (its gain peaks over the limit); the fixture's curves take the last three digits. */
const serialOf = (i: number): string => (i % 6 === 5 ? `AMP-9${String(i).padStart(3, '0')}` : `AMP-${String(1000 + i)}`);

test('a run page plots its sweeps with limits and failing points; History overlays the last runs of a part number', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const station = await StationProcess.start({ dataDir, args: ['--sequences', SEQUENCES, '--procedure', 'sweeps'] });
  const client = await seedPeople(station.url);
  try {
    // 24 units: every sixth an AMP-9… serial, whose gain peaks above the 1 dB limit.
    const serials = Array.from({ length: 24 }, (_, i) => serialOf(i));
    await testUnits(client, serials);
    await logIn(page, station.url, SUPERVISOR, '/history');

    // The newest failing run's page: the sweep is a chart, not a line of text.
    await page.getByRole('link', { name: 'AMP-9023', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'AMP-9023', level: 1 })).toBeFocused();
    const gain = page.getByRole('figure', { name: 'gain: gain against frequency' });
    await expect(gain).toBeVisible();
    await expect(gain.getByRole('img')).toHaveAccessibleName(/40 points of gain \(dB\) against frequency \(kHz\).*outside the limits/);
    const legend = gain.getByRole('list', { name: 'Legend' });
    await expect(legend).toContainText('Limits');
    await expect(legend).toContainText(/Point outside the limits · \d+/);
    await expect(gain).toContainText('outside the limits');
    // Three dimensions: a curve per temperature, named in the legend.
    const drift = page.getByRole('figure', { name: 'offset: offset against time' });
    await expect(drift.getByRole('list', { name: 'Legend' })).toContainText('temperature 85 °C');
    await gain.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'run-sweep-plot');

    // The table view is the keyboard's way to the numbers.
    const toggle = gain.getByRole('button', { name: 'Show as table' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(gain.getByRole('button', { name: 'Hide table' })).toHaveAttribute('aria-expanded', 'true');
    const points = gain.getByRole('table', { name: 'Points of gain' });
    await expect(points.getByRole('row')).toHaveCount(41);
    await expect(points.getByRole('row').filter({ hasText: 'outside' }).first()).toBeVisible();
    await saveScreenshot(page, testInfo, 'run-sweep-table');

    // From the plot: the last 50 runs of this part number, overlaid.
    await gain.getByRole('link', { name: 'Overlay with the last 50 runs of AMP-200' }).click();
    await expect(page.getByRole('heading', { name: 'Series of many runs', level: 1 })).toBeFocused();
    const overlay = page.getByRole('figure', { name: /gain: gain against frequency, 24 runs/ });
    await expect(overlay).toBeVisible();
    await expect(overlay.getByRole('list', { name: 'Legend' })).toContainText('Did not pass (dashed) · 7');
    await expect(page.getByLabel('Measurement')).toHaveValue('frequency_response.gain');
    // Pointing at a curve names its run.
    const box = (await overlay.getByRole('img').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.72, box.y + box.height * 0.1);
    await page.mouse.move(box.x + box.width * 0.73, box.y + box.height * 0.12);
    await saveScreenshot(page, testInfo, 'overlay-sweeps');

    await page.getByLabel('Measurement').selectOption('thermal_drift.offset');
    await expect(page.getByRole('figure', { name: /offset: offset against time, 24 runs/ })).toBeVisible();
    await page.getByLabel('Newest runs').selectOption('10');
    const ten = page.getByRole('figure', { name: /offset: offset against time, 10 runs/ });
    await ten.getByRole('button', { name: 'Show as table' }).click();
    await expect(ten.getByRole('table', { name: 'Runs overlaid' }).getByRole('row')).toHaveCount(11);

    // History's own link carries its filters.
    await page.goto(`${station.url}/#/history`);
    await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeFocused();
    await page.getByRole('textbox', { name: 'Part number', exact: true }).fill('AMP-200');
    await page.getByRole('link', { name: 'Overlay the series of the last 50 of these runs' }).click();
    await expect(page.getByRole('figure', { name: /gain: gain against frequency, 24 runs/ })).toBeVisible();
  } finally {
    client.close();
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('a supervisor reads yield, the failure Pareto down to its runs, SPC across a limit change, and the drift alerts', async ({ page }, testInfo) => {
  // The procedure is edited in the test (a limit change): a copy of the fixture in the data dir.
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(sequences, { recursive: true });
  cpSync(join(SEQUENCES, 'sweeps'), join(sequences, 'sweeps'), { recursive: true });
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ referenceSerialPattern: '^AMP-0', spcRules: [1, 2, 3, 4], yieldAlert: { minFirstPassYield: 0.9, window: 20 } }),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'sweeps'] });
  const client = await seedPeople(station.url);
  try {
    // 20 units, a golden unit, then the bias limits tightened (a supervisor's change, in the audit trail), 16 more units
    // (their bias drifts up from the 24th), and the unit that failed its bias at 7 retested after rework.
    await testUnits(client, [...Array.from({ length: 20 }, (_, i) => serialOf(i)), 'AMP-0001']);
    const current = await client.invoke('procedures.get', { procedureId: 'sweeps' });
    const { seq } = await client.invoke('station.snapshot', {});
    const changed = await client.invoke('procedures.propose', {
      procedureId: 'sweeps',
      baseHash: current.hash,
      changes: [
        { path: ['phases', 'bias', 'measurements', 'i_bias', 'lower'], value: 1.9 },
        { path: ['phases', 'bias', 'measurements', 'i_bias', 'upper'], value: 2.1 },
        { path: ['phases', 'bias', 'measurements', 'i_bias', 'marginalLower'], value: 1.94 },
        { path: ['phases', 'bias', 'measurements', 'i_bias', 'marginalUpper'], value: 2.06 },
      ],
      reason: 'tighter bias after the new reference',
    });
    await client.waitForEvent(seq, (e) => e.kind === 'procedure.loaded' && e.data.procedure.hash === changed.hash);
    await testUnits(
      client,
      Array.from({ length: 16 }, (_, i) => serialOf(20 + i)),
    );
    await testUnits(client, ['AMP-1007'], { rework: true });

    // The operator's screen, as the line sees it: this shift's first pass yield, small, in the header.
    await page.goto(station.url);
    await expect(page.getByRole('status', { name: 'This shift' })).toContainText(/\d+(\.\d)? % first pass/);
    await expect(page.getByRole('status', { name: 'This shift' })).toContainText('36 units');
    await saveScreenshot(page, testInfo, 'operator-header');

    await logIn(page, station.url, SUPERVISOR, '/supervisor');
    // The drift alerts: bias drifted (a run rule), first pass yield under 90 % over the last 20 units.
    const alerts = page.getByRole('region', { name: /Drift alerts/ });
    await expect(alerts.getByRole('list', { name: 'Drift alerts' })).toContainText('bias.i_bias');
    await expect(alerts).toContainText('Yield');
    await saveScreenshot(page, testInfo, 'supervisor-alerts');

    // Yield: 36 units (the golden one apart), first pass and final yield differ by the reworked unit.
    await page.getByRole('navigation', { name: 'Supervisor screens' }).getByRole('link', { name: 'Yield' }).click();
    await expect(page.getByRole('heading', { name: 'Yield', level: 1 })).toBeFocused();
    await expect(page.getByText('of 36 units passed on their first attempt')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Reference units' })).toContainText('1 reference unit');
    await page.getByLabel('Per', { exact: true }).selectOption('socket');
    await expect(page.getByRole('figure', { name: 'First pass yield per socket' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'yield');
    await page.getByLabel('Per', { exact: true }).selectOption('hour');
    await expect(page.getByRole('figure', { name: 'First pass yield per hour' }).getByRole('img')).toBeVisible();
    await saveScreenshot(page, testInfo, 'yield-hour');

    // SPC of the bias current: two limit versions side by side, the I-MR chart with the change and the drift marked.
    await page.getByRole('navigation', { name: 'Supervisor screens' }).getByRole('link', { name: 'Supervisor' }).click();
    await alerts.getByRole('listitem').filter({ hasText: 'bias.i_bias' }).getByRole('link', { name: 'Open SPC' }).click();
    const figures = page.getByRole('table', { name: 'Statistics per limit version' });
    await expect(figures.getByRole('columnheader')).toHaveCount(3);
    await expect(figures).toContainText('Limits 1.8 … 2.2 mA');
    await expect(figures).toContainText('Limits 1.9 … 2.1 mA');
    for (const f of ['σ overall', 'σ within', 'Cp', 'Cpk', 'Pp', 'Ppk', 'Outside the limits'])
      await expect(figures.getByRole('rowheader', { name: new RegExp(`^${f}( |$)`) })).toBeVisible();
    const control = page.getByRole('figure', { name: 'bias.i_bias: individuals and moving range' });
    const legend = control.getByRole('list', { name: 'Legend' });
    await expect(legend).toContainText('Limit change');
    await expect(legend).toContainText(/Rule 2: nine points in a row on one side of the centre line · \d+/);
    await saveScreenshot(page, testInfo, 'spc');
    const histogram = page.getByRole('figure', { name: /^Histogram: Limits 1\.9 … 2\.1 mA/ });
    await expect(histogram.getByRole('list', { name: 'Legend' })).toContainText('Marginal band');
    await histogram.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'spc-histogram');
    await control.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'spc-control-chart');
    await control.getByRole('button', { name: 'Show as table' }).click();
    const points = control.getByRole('table', { name: /values$/ });
    await expect(points.getByRole('row').filter({ hasText: 'Rule 2' }).first()).toBeVisible();
    await expect(page.getByRole('region', { name: 'Limit changes' })).toContainText('tighter bias after the new reference');

    // The Pareto by measurement: the gain sweep first; its bar opens its six runs in History.
    await page.getByRole('navigation', { name: 'Supervisor screens' }).getByRole('link', { name: 'Pareto' }).click();
    const pareto = page.getByRole('figure', { name: 'Failures by measurement' });
    await expect(pareto.getByRole('listitem').first()).toContainText('frequency_response.gain');
    await expect(pareto.getByRole('listitem').first()).toContainText('6');
    await saveScreenshot(page, testInfo, 'pareto');
    await pareto.getByRole('link', { name: /^frequency_response\.gain: 6 failures/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'that failed measurement frequency_response.gain' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Runs' }).getByRole('row')).toHaveCount(7);
    await saveScreenshot(page, testInfo, 'pareto-runs');
  } finally {
    client.close();
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

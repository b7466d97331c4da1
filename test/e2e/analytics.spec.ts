/**
 * The supervisor's charts in Chromium, against the real headless station and real runs of the
 * `sweeps` fixture procedure (a frequency sweep with every-point limits, a drift at two
 * temperatures): a run's sweep plot with its failing points, and many runs' sweeps overlaid
 * from History. Screenshots go to test-results/screenshots/ to be looked at.
 */
import { fileURLToPath } from 'node:url';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { StationProcess } from './station.ts';
import { SUPERVISOR, logIn, seedPeople } from './people.ts';
import type { StationClient } from './station-client.ts';

const SEQUENCES = fileURLToPath(new URL('../fixtures/sequences', import.meta.url));

/** Tests units one after another through the station's own run.start, as a scan would. */
async function testUnits(client: StationClient, serials: readonly string[]): Promise<void> {
  for (const serialNumber of serials) {
    const { seq } = await client.invoke('station.snapshot', {});
    const ended = client.waitForEvent(seq, (e) => e.kind === 'run.ended');
    await client.invoke('run.start', { socket: 0, serialNumber });
    await ended;
  }
}

test('a run page plots its sweeps with limits and failing points; History overlays the last runs of a part number', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const station = await StationProcess.start({ dataDir, args: ['--sequences', SEQUENCES, '--procedure', 'sweeps'] });
  const client = await seedPeople(station.url);
  try {
    // 24 units: every sixth an AMP-9… serial, whose gain peaks above the 1 dB limit.
    const serials = Array.from({ length: 24 }, (_, i) => (i % 6 === 5 ? `AMP-9${String(i).padStart(3, '0')}` : `AMP-${String(1000 + i)}`));
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
    await expect(overlay.getByRole('list', { name: 'Legend' })).toContainText('Did not pass (dashed) · 4');
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
    await page.getByLabel('Part number').fill('AMP-200');
    await page.getByRole('link', { name: 'Overlay the series of the last 50 of these runs' }).click();
    await expect(page.getByRole('figure', { name: /gain: gain against frequency, 24 runs/ })).toBeVisible();
  } finally {
    client.close();
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

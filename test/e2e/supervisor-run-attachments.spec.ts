/**
 * A supervisor reads what a phase attached to a run: a picture shown on the run
 * page, any other file downloaded as it was stored.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';

const PHOTO = [
  '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160">',
  '<rect width="320" height="160" fill="#0b3d2e"/><circle cx="80" cy="80" r="40" fill="#3ddc84"/>',
  '<text x="140" y="90" font-size="28" fill="#ffffff" font-family="sans-serif">LED on</text></svg>',
].join('');
const CSV = 'time_s,voltage_v\n0,0.0000\n0.01,3.2990\n';

test('a phase’s picture shows on the run page and its other files download', async ({ page }, testInfo) => {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(join(sequences, 'camera'), { recursive: true });
  writeFileSync(
    join(sequences, 'camera', 'procedure.yaml'),
    [
      'id: camera',
      'name: Camera inspection',
      'version: 1.0.0',
      "serialPattern: '^CAM-[0-9]+$'",
      'serialExample: CAM-1',
      'phases:',
      '  - name: inspect',
      '    title: LED inspection',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(sequences, 'camera', 'phases.ts'),
    [
      'interface Ctx { attach(name: string, data: string, mediaType?: string): unknown }',
      'export function inspect(ctx: Ctx): void {',
      `  ctx.attach('led.svg', ${JSON.stringify(PHOTO)}, 'image/svg+xml');`,
      `  ctx.attach('rail.csv', ${JSON.stringify(CSV)}, 'text/csv');`,
      '}',
      '',
    ].join('\n'),
  );
  const station = await StationProcess.start({ dataDir, args: ['--sequences', sequences, '--procedure', 'camera'] });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await operator.scan('CAM-1');
    await expect(operator.result('PASS')).toBeVisible();

    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.getByRole('table', { name: 'Runs' }).getByRole('link', { name: 'CAM-1', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'CAM-1', level: 1 })).toBeVisible();

    const files = page.getByRole('list', { name: 'Attachments of LED inspection' });
    const photo = files.getByRole('img', { name: 'led.svg' });
    await expect(photo).toBeVisible();
    // Really drawn from the station's bytes, not a broken image.
    await expect.poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    await expect(files).toContainText('rail.csv');
    await expect(files).toContainText('text/csv');
    await photo.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'run-attachments');

    const downloading = page.waitForEvent('download');
    await files.getByRole('button', { name: 'Download rail.csv' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('rail.csv');
    expect(readFileSync(await download.path(), 'utf8')).toBe(CSV);
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

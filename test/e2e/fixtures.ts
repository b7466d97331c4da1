import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { StationProcess } from './station.ts';
import { OperatorScreen } from './operator-screen.ts';

interface Fixtures {
  /** A fresh station (own data dir) per test. */
  station: StationProcess;
  /** The operator screen of that station, loaded and waiting for a unit. */
  operator: OperatorScreen;
}

export const test = base.extend<Fixtures>({
  // Playwright's fixture signature needs the (empty) destructuring.
  // eslint-disable-next-line no-empty-pattern
  station: async ({}, use) => {
    const dataDir = StationProcess.freshDataDir();
    const station = await StationProcess.start({ dataDir });
    try {
      await use(station);
    } finally {
      await station.stop();
      StationProcess.removeDataDir(dataDir);
    }
  },
  operator: async ({ page, station }, use) => {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await use(operator);
  },
});

export { expect };

/** Saves a screenshot under test-results/screenshots/ (looked at by a person, not compared). */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = join(dirname(testInfo.config.configFile ?? join(process.cwd(), 'playwright.config.ts')), 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/**
 * People of a test station, made as an admin makes them: the first admin over the station's
 * API (setup.createAdmin logs that connection in), then people.add. Never by writing the database.
 */
import { expect, type Page } from '@playwright/test';
import type { Role } from '#contract/auth.ts';
import { StationClient } from './station-client.ts';

export interface TestPerson {
  badge: string;
  name: string;
  role: Role;
  pin?: string;
}

export const ADMIN: TestPerson & { pin: string } = { badge: 'ADM-1', name: 'Alex Admin', role: 'admin', pin: '9731' };
export const SUPERVISOR: TestPerson & { pin: string } = { badge: 'SUP-7', name: 'Sam Supervisor', role: 'supervisor', pin: '2468' };

/**
 * Creates the first admin and logs in as them over a second client of the station, then adds
 * `people`. The client stays logged in as the admin (it may act as a supervisor too); close it.
 */
export async function seedPeople(stationUrl: string, people: readonly TestPerson[] = [SUPERVISOR]): Promise<StationClient> {
  const client = await StationClient.connect(stationUrl);
  await client.invoke('setup.createAdmin', { badge: ADMIN.badge, name: ADMIN.name, pin: ADMIN.pin });
  for (const p of people) await client.invoke('people.add', { badge: p.badge, name: p.name, role: p.role, ...(p.pin ? { pin: p.pin } : {}) });
  return client;
}

/** Logs the page in through the header's Log in page, then comes back to `path` (a hash path such as `/supervisor`). */
export async function logIn(page: Page, stationUrl: string, who: TestPerson, path = '/'): Promise<void> {
  await page.goto(`${stationUrl}/#/login?from=${encodeURIComponent(path)}`);
  await page.getByLabel('Badge', { exact: true }).fill(who.badge);
  if (who.pin) await page.getByLabel('PIN', { exact: true }).fill(who.pin);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByRole('group', { name: 'Logged in' })).toContainText(who.name);
}

/** A fresh station's first admin and a supervisor made, and the page logged in as the supervisor on `path`. */
export async function openAsSupervisor(page: Page, stationUrl: string, path = '/supervisor'): Promise<void> {
  (await seedPeople(stationUrl)).close();
  await logIn(page, stationUrl, SUPERVISOR, path);
}

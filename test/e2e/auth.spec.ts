/**
 * Issue #13 as people live it: a new station opens on the operator screen; the first
 * supervisor screen opened asks for the first admin; the admin adds a supervisor and creates
 * an API token (its secret shown once); the supervisor logs in with badge and PIN (the badge
 * alone is refused) and retries a parked upload; the Audit screen shows each act with who and
 * when, and the chain verifies. An operator sees no supervisor screen.
 */
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen, scannerSends } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { ADMIN, SUPERVISOR, logIn, seedPeople } from './people.ts';

test('the first admin adds a supervisor and a token; the supervisor retries a parked upload; the audit trail shows both', async ({ page }, testInfo) => {
  // The plant's receiver refuses the part number at first (a 4xx parks the run), later accepts.
  let accept = false;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (accept) res.writeHead(201).end('{}');
      else res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'unknown part number DEMO-PCB-01' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dataDir = StationProcess.freshDataDir();
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ uploadTargets: [{ id: 'mes', kind: 'http', url: `http://127.0.0.1:${port}/runs` }], uploadRetry: { firstDelayMs: 200, maxDelayMs: 400 } }),
  );
  const station = await StationProcess.start({ dataDir });
  const nav = page.getByRole('navigation', { name: 'Main' });
  const tabs = page.getByRole('navigation', { name: 'Supervisor screens' });
  try {
    // A new station: straight onto the operator screen, no login; a unit is tested and its upload parks.
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    await expect(nav.getByRole('link')).toHaveText(['Station', 'History']);
    await operator.scan('DEMO-0001');
    await expect(operator.prompt).toBeVisible();
    await page.keyboard.press('y');
    await expect(operator.result('PASS')).toBeVisible();

    // The first supervisor screen opened asks for the first admin, and shows nothing else.
    await page.goto(`${station.url}/#/supervisor`);
    const setup = page.getByRole('region', { name: 'Create the first admin' });
    await expect(setup).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Supervisor', level: 1 })).toHaveCount(0);
    await setup.getByLabel('Badge', { exact: true }).fill(ADMIN.badge);
    await setup.getByLabel('Name', { exact: true }).fill(ADMIN.name);
    await setup.getByLabel('PIN', { exact: true }).fill(ADMIN.pin);
    await setup.getByLabel('PIN again', { exact: true }).fill('0000');
    await setup.getByRole('button', { name: 'Create admin and log in' }).click();
    await expect(setup.getByLabel('PIN again', { exact: true })).toHaveAccessibleDescription(/The two PINs differ/);
    await setup.getByLabel('PIN again', { exact: true }).fill(ADMIN.pin);
    await saveScreenshot(page, testInfo, 'auth-first-admin');
    await setup.getByRole('button', { name: 'Create admin and log in' }).click();
    await expect(page.getByRole('heading', { name: 'Supervisor', level: 1 })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Logged in' })).toContainText(`${ADMIN.name}Admin`);
    await expect(nav.getByRole('link')).toHaveText(['Station', 'History', 'Supervisor']);
    await expect(tabs.getByRole('link')).toHaveText(['Supervisor', 'Yield', 'Pareto', 'SPC', 'Procedures', 'Audit', 'Settings', 'People', 'Tokens']);

    // People: the admin adds a supervisor; a PIN is required for the role.
    await tabs.getByRole('link', { name: 'People' }).click();
    await expect(page.getByRole('heading', { name: 'People', level: 1 })).toBeVisible();
    const add = page.getByRole('region', { name: 'Add a person' });
    await add.getByLabel('Badge', { exact: true }).fill(SUPERVISOR.badge);
    await add.getByLabel('Name', { exact: true }).fill(SUPERVISOR.name);
    await add.getByLabel('Role', { exact: true }).selectOption('supervisor');
    await add.getByRole('button', { name: 'Add person' }).click();
    await expect(add.getByLabel('PIN', { exact: true })).toHaveAccessibleDescription(/A supervisor needs a PIN to log in/);
    await add.getByLabel('PIN', { exact: true }).fill(SUPERVISOR.pin);
    await add.getByLabel('PIN again', { exact: true }).fill(SUPERVISOR.pin);
    await add.getByRole('button', { name: 'Add person' }).click();
    await expect(page.getByRole('status').filter({ hasText: `${SUPERVISOR.name} (${SUPERVISOR.badge}) was added as supervisor.` })).toBeVisible();
    const people = page.getByRole('table', { name: 'People' });
    const sam = people.getByRole('row').filter({ hasText: SUPERVISOR.badge });
    await expect(sam).toContainText(SUPERVISOR.name);
    await expect(sam).toContainText('Supervisor');
    await expect(sam).toContainText('Set');
    await expect(sam).toContainText('Active');
    await expect(people.getByRole('row').filter({ hasText: ADMIN.badge })).toContainText('you');
    await saveScreenshot(page, testInfo, 'auth-people');

    // Tokens: one for line IT; the secret is shown once, with a warning and a Copy button.
    await tabs.getByRole('link', { name: 'Tokens' }).click();
    const create = page.getByRole('region', { name: 'Create a token' });
    await create.getByLabel('Name', { exact: true }).fill('MES bridge line 3');
    await create.getByLabel('Scope', { exact: true }).selectOption('runs:read');
    await create.getByRole('button', { name: 'Create token' }).click();
    const once = page.getByRole('region', { name: 'Token “MES bridge line 3” created' });
    await expect(once).toBeVisible();
    await expect(once.getByRole('alert')).toContainText('It will not be shown again');
    const secret = await once.getByLabel('Secret of MES bridge line 3').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    await expect(once.getByRole('button', { name: 'Copy' })).toBeVisible();
    const tokens = page.getByRole('table', { name: 'API tokens' });
    const mesToken = tokens.getByRole('row').filter({ hasText: 'MES bridge line 3' });
    await expect(mesToken).toContainText('runs:read');
    await expect(mesToken).toContainText(`by ${ADMIN.badge}`);
    await expect(mesToken).toContainText('Never');
    await saveScreenshot(page, testInfo, 'auth-tokens-secret');
    await once.getByRole('button', { name: /I have stored it/ }).click();
    await expect(once).toBeHidden();
    await expect(page.getByText(secret)).toHaveCount(0);

    // Logged out: the header offers Log in, the navigation loses the supervisor screens, and a
    // supervisor screen opened by its address asks for a supervisor's login.
    await page.getByRole('group', { name: 'Logged in' }).getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
    await expect(nav.getByRole('link')).toHaveText(['Station', 'History']);
    await expect(tabs).toHaveCount(0);
    await page.goto(`${station.url}/#/supervisor`);
    await expect(page.getByRole('heading', { name: 'Log in as a supervisor', level: 1 })).toBeVisible();
    await expect(page.getByText('This screen is for a supervisor or above.')).toBeVisible();
    await saveScreenshot(page, testInfo, 'auth-login');

    // The badge alone (a copied number) opens nothing: the station refuses it.
    await page.goto(`${station.url}/#/login?from=${encodeURIComponent('/supervisor')}`);
    await page.getByLabel('Badge', { exact: true }).fill(SUPERVISOR.badge);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(`Not logged in: badge ${SUPERVISOR.badge} is a supervisor's: enter the PIN too.`);
    await expect(page.getByLabel('PIN', { exact: true })).toBeFocused();
    await expect(page.getByRole('group', { name: 'Logged in' })).toHaveCount(0);
    // A wrong PIN neither.
    await page.getByLabel('PIN', { exact: true }).fill('1111');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(`Not logged in: wrong PIN for badge ${SUPERVISOR.badge}.`);
    await expect(page.getByLabel('PIN', { exact: true })).toHaveValue('');
    await expect(page.getByRole('group', { name: 'Logged in' })).toHaveCount(0);

    // Badge and PIN: the supervisor is in, back on the Supervisor page, and retries the parked run.
    await page.getByLabel('PIN', { exact: true }).fill(SUPERVISOR.pin);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page.getByRole('group', { name: 'Logged in' })).toContainText(`${SUPERVISOR.name}Supervisor`);
    await expect(page.getByRole('heading', { name: 'Supervisor', level: 1 })).toBeVisible();
    await expect(nav.getByRole('link')).toHaveText(['Station', 'History', 'Supervisor']);
    await expect(tabs.getByRole('link')).toHaveText(['Supervisor', 'Yield', 'Pareto', 'SPC', 'Procedures', 'Audit', 'Settings']);
    const parked = page.getByRole('table', { name: 'Parked runs' });
    await expect(parked.getByRole('row').filter({ hasText: 'DEMO-0001' })).toContainText('unknown part number DEMO-PCB-01');
    accept = true;
    await parked.getByRole('button', { name: 'Retry DEMO-0001 to mes' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'DEMO-0001 is sent to mes again.' })).toBeVisible();
    await expect(page.getByText('No parked runs.')).toBeVisible();

    // An admin screen is still closed to a supervisor.
    await page.goto(`${station.url}/#/people`);
    await expect(page.getByRole('heading', { name: 'Log in as an admin', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: 'People' })).toHaveCount(0);

    // The Audit screen: each act with who did it and when, newest first.
    await tabs.getByRole('link', { name: 'Audit' }).click();
    await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
    const audit = page.getByRole('table', { name: 'Audit entries' });
    const entry = (action: string) => audit.getByRole('row').filter({ has: page.getByText(action, { exact: true }) });
    const time = /\d\d:\d\d:\d\d\d{4}-\d\d-\d\d/;
    for (const [action, actor] of [
      ['setup.adminCreated', ADMIN.badge],
      ['people.added', ADMIN.badge],
      ['tokens.created', ADMIN.badge],
      ['session.loggedIn', SUPERVISOR.badge],
      ['upload.retry', SUPERVISOR.badge],
    ] as const) {
      await expect(entry(action).first()).toContainText(actor);
      await expect(entry(action).first().getByRole('rowheader')).toHaveText(time);
    }
    await expect(entry('session.loginFailed').first()).toContainText(SUPERVISOR.badge);
    // Newest first: the retry is above the supervisor's login, which is above the token.
    const rows = await audit.getByRole('row').allInnerTexts();
    const at = (action: string): number => rows.findIndex((r) => r.includes(action));
    expect(at('upload.retry')).toBeLessThan(at('session.loggedIn'));
    expect(at('session.loggedIn')).toBeLessThan(at('tokens.created'));

    // An entry opens to what it holds.
    await entry('people.added')
      .first()
      .getByRole('button', { name: /^Open entry \d+ \(people\.added\)$/ })
      .click();
    const detail = page.getByRole('region', { name: /^Entry \d+$/ });
    await expect(detail).toContainText(SUPERVISOR.badge);
    await expect(detail).toContainText('supervisor');
    await saveScreenshot(page, testInfo, 'auth-audit-entry');

    // Filtered to the supervisor: only their acts.
    await page.getByLabel('Who', { exact: true }).fill(SUPERVISOR.badge);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(entry('upload.retry')).toHaveCount(1);
    await expect(entry('people.added')).toHaveCount(0);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Trail intact — \d+ entries/ })).toBeVisible();
    await saveScreenshot(page, testInfo, 'auth-audit-verified');

    // Export: the filtered trail as a CSV file.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('an operator sees no supervisor screen: the navigation hides them and an address asks for a login', async ({ page, station }) => {
  const nav = page.getByRole('navigation', { name: 'Main' });
  // With an admin on the station, the operator (not logged in) is on the operator screen.
  (await seedPeople(station.url, [])).close();
  const operator = new OperatorScreen(page);
  await operator.open(station.url);
  await expect(nav.getByRole('link')).toHaveText(['Station', 'History']);
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  for (const [path, role] of [
    ['supervisor', 'a supervisor'],
    ['audit', 'a supervisor'],
    ['people', 'an admin'],
    ['tokens', 'an admin'],
  ] as const) {
    await page.goto(`${station.url}/#/${path}`);
    await expect(page.getByRole('heading', { name: `Log in as ${role}`, level: 1 })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Supervisor screens' })).toHaveCount(0);
  }
});

test('with requireBadgeLogin on, the operator screen asks for a badge; the scan logs the operator in', async ({ page }) => {
  const dataDir = StationProcess.freshDataDir();
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ requireBadgeLogin: true }));
  const station = await StationProcess.start({ dataDir });
  try {
    (await seedPeople(station.url, [{ badge: 'OP-1', name: 'Olga Operator', role: 'operator' }])).close();
    await page.goto(station.url);
    // Before a login the screen asks for the badge: a login panel while the station shows nothing
    // to nobody, or a banner over the sockets where it lets the page read.
    const ask = page.getByRole('heading', { name: /^(Log in as an operator|Scan your badge to start testing)$/ });
    await expect(ask).toBeVisible();
    await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
    await scannerSends(page, 'OP-1');
    await expect(page.getByRole('group', { name: 'Logged in' })).toContainText('Olga OperatorOperator');
    await expect(ask).toBeHidden();
    await expect(page.getByLabel('Serial number', { exact: true })).toBeVisible();
    // A reload (a new connection) keeps this tab's login; logging out ends it.
    await page.reload();
    await expect(page.getByRole('group', { name: 'Logged in' })).toContainText('Olga Operator');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(ask).toBeVisible();
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
  }
});

test('an admin changes a role, resets a PIN and disables a person; a disabled badge logs in no more', async ({ page, station }, testInfo) => {
  (await seedPeople(station.url)).close();
  await logIn(page, station.url, ADMIN, '/people');
  const people = page.getByRole('table', { name: 'People' });
  const sam = people.getByRole('row').filter({ hasText: SUPERVISOR.badge });

  await sam.getByRole('button', { name: `Change role of ${SUPERVISOR.name}` }).click();
  const role = page.getByRole('form', { name: `Change the role of ${SUPERVISOR.name}` });
  await role.getByLabel('New role', { exact: true }).selectOption('technician');
  await role.getByRole('button', { name: 'Save role', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `${SUPERVISOR.name} is now technician.` })).toBeVisible();
  await expect(sam).toContainText('Technician');

  await sam.getByRole('button', { name: `Reset PIN of ${SUPERVISOR.name}` }).click();
  const reset = page.getByRole('form', { name: `Set a new PIN for ${SUPERVISOR.name}` });
  await expect(reset.getByLabel('New PIN', { exact: true })).toBeFocused();
  await reset.getByLabel('New PIN', { exact: true }).fill('12');
  await reset.getByRole('button', { name: 'Set PIN', exact: true }).click();
  await expect(reset.getByLabel('New PIN', { exact: true })).toHaveAccessibleDescription('A PIN has at least 4 characters.');
  await reset.getByLabel('New PIN', { exact: true }).fill('5555');
  await reset.getByLabel('PIN again', { exact: true }).fill('5555');
  await saveScreenshot(page, testInfo, 'auth-people-reset-pin');
  await reset.getByRole('button', { name: 'Set PIN', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `${SUPERVISOR.name} has a new PIN.` })).toBeVisible();

  await sam.getByRole('button', { name: `Disable ${SUPERVISOR.name}` }).click();
  await expect(sam).toContainText('Disabled');
  await expect(sam.getByRole('button', { name: `Enable ${SUPERVISOR.name}` })).toBeVisible();
  // The admin's own row offers no Disable.
  await expect(
    people
      .getByRole('row')
      .filter({ hasText: ADMIN.badge })
      .getByRole('button', { name: /^Disable/ }),
  ).toHaveCount(0);

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto(`${station.url}/#/login`);
  await page.getByLabel('Badge', { exact: true }).fill(SUPERVISOR.badge);
  await page.getByLabel('PIN', { exact: true }).fill('5555');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Not logged in');
  await expect(page.getByRole('group', { name: 'Logged in' })).toHaveCount(0);
});

/**
 * The Procedures screen (issue #14) against a real station whose sequence folder holds copies of
 * the `quick` fixture: a supervisor tunes a limit with a reason, a second supervisor approves when
 * approval is on, the next unit runs on the new limit and records its version and hash, rollback
 * restores it, bad values are refused with the field named, a run in progress is never touched, an
 * edit on disk shows as "changed outside the app", and two sockets run two procedures at once.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { test, expect, saveScreenshot } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { logIn, seedPeople, SUPERVISOR, type TestPerson } from './people.ts';
import { StationProcess } from './station.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/sequences', import.meta.url));
const SECOND: TestPerson & { pin: string } = { badge: 'SUP-8', name: 'Robin Reviewer', role: 'supervisor', pin: '1357' };

interface Bench {
  station: StationProcess;
  sequences: string;
  yaml(id?: string): string;
  close(): Promise<void>;
}

/**
 * A station on a temp sequence folder with `quick` (and `quick-b` when asked: the same phases,
 * another id and name), `second` taking `delayMs` so a run can be caught in progress.
 */
async function bench(
  opts: { approval?: boolean; sockets?: number; second?: boolean; delayMs?: number; broken?: boolean; instances?: boolean } = {},
): Promise<Bench> {
  const dataDir = StationProcess.freshDataDir();
  const sequences = join(dataDir, 'sequences');
  mkdirSync(sequences, { recursive: true });
  const copy = (id: string, name: string): void => {
    cpSync(join(FIXTURES, 'quick'), join(sequences, id), { recursive: true });
    const file = join(sequences, id, 'procedure.yaml');
    let text = readFileSync(file, 'utf8').replace('id: quick', `id: ${id}`).replace('name: Quick fixture', `name: ${name}`);
    if (opts.delayMs)
      text = text.replace('  - name: second\n    timeoutMs: 5000\n', `  - name: second\n    timeoutMs: 20000\n    params:\n      delayMs: ${opts.delayMs}\n`);
    if (opts.instances) {
      // `second` runs twice, once per rail, and a prompt shows an image from the folder.
      text = text
        .replace(
          '  - name: second\n    timeoutMs: 5000\n',
          '  - name: second\n    timeoutMs: 5000\n    instances:\n      - params: { rail: A }\n      - params: { rail: B }\n',
        )
        .concat('prompts:\n  look:\n    kind: yes-no\n    message: Is the LED green?\n    image: led-off.svg\n');
      for (const f of ['led-off.svg', 'led-green.svg']) writeFileSync(join(sequences, id, f), '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
    }
    writeFileSync(file, text);
  };
  copy('quick', 'Quick fixture');
  if (opts.second) copy('quick-b', 'Quick fixture B');
  if (opts.broken) {
    // A folder whose procedure.yaml does not load: shown in the list with file, line and field.
    mkdirSync(join(sequences, 'broken'), { recursive: true });
    writeFileSync(
      join(sequences, 'broken', 'procedure.yaml'),
      ['id: broken', 'name: Broken board test', 'version: 1.0.0', 'phases:', '  - name: first', '    timeoutMs: -5', ''].join('\n'),
    );
    writeFileSync(join(sequences, 'broken', 'phases.ts'), 'export async function first(): Promise<void> {}\n');
  }
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ procedureChangesNeedApproval: opts.approval ?? false }));
  const station = await StationProcess.start({
    dataDir,
    args: ['--sequences', sequences, '--procedure', 'quick', ...(opts.sockets ? ['--sockets', String(opts.sockets)] : [])],
  });
  (await seedPeople(station.url, [SUPERVISOR, SECOND])).close();
  return {
    station,
    sequences,
    yaml: (id = 'quick') => join(sequences, id, 'procedure.yaml'),
    close: async () => {
      await station.stop();
      StationProcess.removeDataDir(dataDir);
    },
  };
}

/** The Procedures screen as a supervisor works it. */
class ProceduresScreen {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async open(url: string): Promise<void> {
    await this.page.goto(`${url}/#/procedures`);
    await expect(this.page.getByRole('heading', { name: 'Procedures', level: 1 })).toBeVisible();
  }
  get list(): Locator {
    return this.page.getByRole('table', { name: 'Procedures' });
  }
  row(id: string): Locator {
    return this.list.getByRole('row').filter({ hasText: id });
  }
  measurement(name: string): Locator {
    return this.page.getByRole('group', { name: `Measurement ${name}`, exact: true });
  }
  field(measurement: string, label: string): Locator {
    return this.measurement(measurement).getByLabel(label, { exact: false }).first();
  }
  async review(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Review and save…' }).click();
    return this.page.getByRole('region', { name: /Save these changes|Submit these changes for approval/ });
  }
  async save(reason: string): Promise<void> {
    await this.page.getByLabel('Reason', { exact: true }).fill(reason);
    await this.page.getByRole('button', { name: /^(Save new version|Submit for approval)$/ }).click();
  }
}

/** One unit through the operator screen of `socket` (whole page on one socket); its verdict. */
async function runUnit(page: Page, url: string, serial: string, socket?: number): Promise<OperatorScreen> {
  const op = new OperatorScreen(page, socket);
  await page.goto(url);
  await expect(op.connection).toHaveText('Connected');
  await expect(op.serial).toBeEnabled();
  await op.scan(serial);
  return op;
}

test('a supervisor changes a limit with a reason: the next unit runs on it, records its version and hash, Audit shows it, rollback restores it', async ({
  page,
}, testInfo) => {
  const b = await bench({ broken: true });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    const screen = new ProceduresScreen(page);
    await expect(screen.row('broken')).toContainText('Does not load');
    await expect(screen.row('broken')).toContainText('procedure.yaml');
    await expect(screen.row('quick')).toContainText('1.0.0');
    await expect(screen.row('quick')).toContainText('Socket 1');
    await saveScreenshot(page, testInfo, 'procedures-list');

    // volts measures 1.5: an upper limit of 1.4 fails it.
    await screen.field('volts', 'Upper').fill('1.4');
    const review = await screen.review();
    await expect(review.getByRole('list', { name: 'Changes' })).toContainText('second · volts upper 2 V → 1.4 V');
    await page.getByLabel('Reason', { exact: true }).fill('Tighter rail spec from design review');
    await saveScreenshot(page, testInfo, 'procedures-save-diff');
    await page.getByRole('button', { name: 'Save new version' }).click();
    const result = page.getByRole('status').filter({ hasText: 'Saved as' });
    await expect(result).toContainText('1.0.1');
    await expect(result.getByRole('list', { name: 'Saved changes' })).toContainText('volts');

    await expect(screen.row('quick')).toContainText('1.0.1');
    const hash = await screen.row('quick').locator('code').getAttribute('title');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    let op = await runUnit(page, b.station.url, 'Q-0001');
    await expect(op.result('FAIL')).toBeVisible();
    await page
      .getByRole('link', { name: /Q-0001|Open run|Details/ })
      .first()
      .click();
    // The run page: the version and the hash it ran on.
    await expect(page.getByText('v1.0.1', { exact: true })).toBeVisible();
    await expect(page.locator(`dd[title="${hash}"]`)).toBeVisible();

    await page.goto(`${b.station.url}/#/audit`);
    const audit = page.getByRole('table', { name: 'Audit entries' });
    await expect(
      audit
        .getByRole('row')
        .filter({ hasText: /procedure\./ })
        .first(),
    ).toBeVisible();

    // Roll back to 1.0.0: the old limit passes the next unit again.
    await screen.open(b.station.url);
    await page.getByRole('button', { name: 'Roll back to 1.0.0' }).click();
    await page.getByRole('form', { name: 'Roll back to 1.0.0' }).getByLabel('Reason', { exact: true }).fill('Design review reverted');
    await page.getByRole('form', { name: 'Roll back to 1.0.0' }).getByRole('button', { name: 'Roll back' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Rolled back' })).toBeVisible();
    const compare = page.getByRole('region', { name: 'Version compare' });
    // The compare opens on what the rollback changed: 1.0.1 → 1.0.2, upper back to 2.
    await expect(compare.getByRole('heading')).toContainText(/1\.0\.1 \S+ → 1\.0\.2/);
    await expect(compare.getByRole('table', { name: 'Lines of procedure.yaml' }).locator('.diff-line--add')).toContainText(['version: 1.0.2', 'upper: 2']);
    await compare.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'procedures-version-compare');
    op = await runUnit(page, b.station.url, 'Q-0002');
    await expect(op.result('PASS')).toBeVisible();
  } finally {
    await b.close();
  }
});

test('with approval on, the old limit runs until a second supervisor (not the author) approves with badge and PIN', async ({ page }, testInfo) => {
  const b = await bench({ approval: true });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    const screen = new ProceduresScreen(page);
    await screen.field('volts', 'Upper').fill('1.4');
    await screen.review();
    await screen.save('Tighter rail spec');
    await expect(page.getByRole('status').filter({ hasText: 'Submitted for approval' })).toBeVisible();
    const draft = page.getByRole('article', { name: /^Change 1\.0\.0 → 1\.0\.1/ });
    await expect(draft).toContainText('volts upper');
    await expect(draft).toContainText('Tighter rail spec');
    await draft.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'procedures-draft');

    // The author cannot approve their own change.
    await draft.getByRole('button', { name: 'Approve…' }).click();
    await draft.getByLabel('Supervisor badge').fill(SUPERVISOR.badge);
    await draft.getByLabel('PIN').fill(SUPERVISOR.pin);
    await draft.getByRole('button', { name: 'Approve change' }).click();
    await expect(draft.getByRole('alert')).toBeVisible();

    // Still the old limit: the unit passes.
    let op = await runUnit(page, b.station.url, 'Q-0101');
    await expect(op.result('PASS')).toBeVisible();

    await screen.open(b.station.url);
    await draft.getByRole('button', { name: 'Approve…' }).click();
    await draft.getByLabel('Supervisor badge').fill(SECOND.badge);
    await draft.getByLabel('PIN').fill(SECOND.pin);
    await draft.getByRole('button', { name: 'Approve change' }).click();
    await expect(page.getByText(/Approved: quick 1\.0\.1/)).toBeVisible();

    // Audit: the change (with its diff and reason) and the approval, each by its supervisor.
    await page.goto(`${b.station.url}/#/audit`);
    const audit = page.getByRole('table', { name: 'Audit entries' });
    await expect(audit.getByRole('row').filter({ hasText: 'procedure.approved' })).toContainText(SECOND.badge);
    const proposed = audit.getByRole('row').filter({ hasText: 'procedure.changed' }).first();
    await expect(proposed).toContainText(SUPERVISOR.badge);
    await proposed.getByRole('button', { name: /^Open entry/ }).click();
    await expect(page.getByRole('region', { name: /^Entry / }).first()).toContainText('1.4');

    op = await runUnit(page, b.station.url, 'Q-0102');
    await expect(op.result('FAIL')).toBeVisible();
  } finally {
    await b.close();
  }
});

test('a supervisor rejects a change with a reason: it is listed as rejected and the procedure stays as it was', async ({ page }) => {
  const b = await bench({ approval: true });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    const screen = new ProceduresScreen(page);
    await screen.field('volts', 'Lower').fill('1.2');
    await screen.review();
    await screen.save('Raise the floor');
    const draft = page.getByRole('article', { name: /^Change 1\.0\.0 → 1\.0\.1/ });
    await draft.getByRole('button', { name: 'Reject…' }).click();
    await draft.getByLabel('Why it is rejected').fill('Not agreed with design');
    await draft.getByRole('button', { name: 'Reject change' }).click();
    await expect(page.getByText('Rejected: quick stays on 1.0.0.')).toBeVisible();
    await expect(page.getByText('Nothing waits for approval.')).toBeVisible();
    await page.getByText(/^Decided changes/).click();
    await expect(page.getByRole('group', { name: /1\.0\.1/ })).toContainText('Not agreed with design');
    await expect(screen.row('quick')).toContainText('1.0.0');
  } finally {
    await b.close();
  }
});

test('fields refuse bad values as they are typed, and the station names the field it refuses', async ({ page }, testInfo) => {
  const b = await bench();
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    const screen = new ProceduresScreen(page);
    await screen.field('volts', 'Upper').fill('abc');
    await expect(screen.measurement('volts').getByRole('alert')).toHaveText('A number, such as 3.45');
    await screen.field('volts', 'Upper').fill('0.5');
    await expect(screen.measurement('volts').getByRole('alert')).toHaveText('Upper must not be below lower');
    await expect(page.getByRole('button', { name: 'Review and save…' })).toBeDisabled();
    await screen.field('volts', 'Upper').fill('2');
    await screen.field('volts', 'Units').fill('Volts');
    await expect(screen.measurement('volts').getByRole('alert')).toContainText('Unknown unit "Volts"');
    await screen.field('volts', 'Units').fill('V');
    await page.getByLabel('Serial pattern').fill('^Q-[0-9+$');
    await expect(page.getByText(/Not a valid regular expression/)).toBeVisible();
    await page.getByLabel('Serial pattern').fill('^Q-[0-9]+$');

    // A negative timeout is only the station's to refuse: it names the field, shown beside it.
    // Checked by the station before the review opens (procedures.preview), as a save would be.
    const timeout = page.getByRole('group', { name: /second/ }).getByLabel('Timeout (ms)');
    await timeout.fill('-5');
    await page.getByRole('button', { name: 'Review and save…' }).click();
    await expect(timeout).toBeFocused();
    await expect(page.getByRole('region', { name: /Save these changes/ })).toHaveCount(0);
    await expect(page.locator('[data-field="phases.second.timeoutMs"]').locator('..').getByRole('alert')).toBeVisible();
    await saveScreenshot(page, testInfo, 'procedures-refused-field');
  } finally {
    await b.close();
  }
});

test("an instance's own limit, a phase's on-failure and a prompt's image: the station says the change in words before it is saved", async ({
  page,
}, testInfo) => {
  const b = await bench({ instances: true });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    const railB = page.getByRole('group', { name: 'Instance second[rail=B]' });
    await expect(railB).toBeVisible();
    await railB.getByRole('group', { name: 'Measurement volts' }).getByLabel('Upper (V)').fill('1.5');
    await page
      .getByRole('group', { name: /second/ })
      .first()
      .getByLabel('When it fails')
      .selectOption('stop');
    await page.getByRole('group', { name: 'Prompt look' }).getByLabel('Image').selectOption('led-green.svg');
    const review = await screen(page).review();
    await expect(review).toContainText('Version 1.0.0 → 1.0.1');
    await expect(review).toContainText('second[rail=B] · volts upper 2 V → 1.5 V');
    await expect(review).toContainText('second · onFailure (none) → "stop"');
    await expect(review).toContainText('prompt look · image "led-off.svg" → "led-green.svg"');
    await saveScreenshot(page, testInfo, 'procedures-instance-review');
    await screen(page).save('Rail B is tighter');
    await expect(page.getByRole('status').filter({ hasText: 'Saved as' })).toBeVisible();
    const text = readFileSync(b.yaml(), 'utf8');
    expect(text).toMatch(/rail: B \}\n\s+measurements:\n\s+- name: volts\n\s+units: V\n\s+lower: 1\n\s+upper: 1\.5/);
    expect(text).toMatch(/onFailure: stop/);
    expect(text).toMatch(/image: led-green\.svg/);
    // Rail A still follows the phase's declared limits.
    await expect(page.getByRole('group', { name: 'Instance second[rail=A]' }).getByRole('group', { name: 'Measurement volts' })).toContainText(
      'as the phase declares',
    );
    await expect(railB.getByRole('group', { name: 'Measurement volts' })).toContainText('own limits');
  } finally {
    await b.close();
  }
});

const screen = (page: Page): ProceduresScreen => new ProceduresScreen(page);

test('a run in progress finishes on the version it started with; the next unit runs on the new one', async ({ page, context }) => {
  const b = await bench({ delayMs: 9000 });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    const operatorPage = await context.newPage();
    const op = await runUnit(operatorPage, b.station.url, 'Q-0201');
    await expect(op.phase('second')).toBeVisible();

    const screen = new ProceduresScreen(page);
    await screen.open(b.station.url);
    await screen.field('volts', 'Upper').fill('1.4');
    await screen.review();
    await screen.save('Tighter while a unit runs');
    await expect(page.getByRole('status').filter({ hasText: 'Saved as' })).toBeVisible();
    // Saved while the unit was still under test: it finishes on 1.0.0 (volts 1.5 within 1…2).
    await expect(op.abort).toBeVisible();

    await expect(op.result('PASS')).toBeVisible({ timeout: 25_000 });
    const next = await runUnit(operatorPage, b.station.url, 'Q-0202');
    await expect(next.result('FAIL')).toBeVisible({ timeout: 25_000 });
  } finally {
    await b.close();
  }
});

test('a file edited on disk shows as "changed outside the app" with its diff', async ({ page }) => {
  const b = await bench({ approval: true });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    writeFileSync(b.yaml(), readFileSync(b.yaml(), 'utf8').replace('upper: 2', 'upper: 1.9'));
    // The screen on view picks it up by itself (the station notices the edit, the screen reads again).
    const outside = page.getByRole('article', { name: /^Changed outside the app/ });
    await expect(outside).toBeVisible({ timeout: 15_000 });
    await expect(outside).toContainText('volts upper');
    await expect(outside).toContainText('1.9');
    await expect(outside).toContainText('Found on disk');

    await page.goto(`${b.station.url}/#/audit`);
    await expect(page.getByRole('table', { name: 'Audit entries' })).toContainText('procedure.changedOutside');
  } finally {
    await b.close();
  }
});

test('a procedure per socket: two sockets run two procedures at once', async ({ page }, testInfo) => {
  const b = await bench({ sockets: 2, second: true, delayMs: 4000 });
  try {
    await logIn(page, b.station.url, SUPERVISOR, '/procedures');
    await new ProceduresScreen(page).open(b.station.url);
    await page.getByLabel('Socket 2', { exact: true }).selectOption('quick-b');
    await expect(page.getByText('Socket 2 runs quick-b from its next run.')).toBeVisible();
    await expect(new ProceduresScreen(page).row('quick-b')).toContainText('Socket 2');

    await page.goto(b.station.url);
    const one = new OperatorScreen(page, 1);
    const two = new OperatorScreen(page, 2);
    await expect(one.connection).toHaveText('Connected');
    await expect(one.serial).toBeFocused();
    // The header and each socket name the procedure it runs.
    const header = page.getByLabel('Test procedure');
    await expect(header).toContainText('2 procedures');
    await expect(one.scope.getByRole('heading', { name: /Socket 1/ })).toHaveText('Socket 1Quick fixture');
    await expect(two.scope.getByRole('heading', { name: /Socket 2/ })).toHaveText('Socket 2Quick fixture B');
    await saveScreenshot(page, testInfo, 'procedures-two-sockets-two-procedures');
    await one.scan('Q-0301');
    await two.scan('Q-0302');
    // Both run at the same time: each panel has a run to abort.
    await expect(one.abort).toBeVisible();
    await expect(two.abort).toBeVisible();
    await expect(one.result('PASS')).toBeVisible({ timeout: 15_000 });
    await expect(two.result('PASS')).toBeVisible({ timeout: 15_000 });
    // Each run records its own procedure (run page).
    const runOf = async (op: OperatorScreen): Promise<string> => (await op.scope.getByRole('link', { name: 'Details of this run' }).getAttribute('href')) ?? '';
    const [href1, href2] = [await runOf(one), await runOf(two)];
    await page.goto(`${b.station.url}/${href1}`);
    await expect(page.locator('dd').filter({ hasText: /^Quick fixture v1\.0\.0$/ })).toBeVisible();
    await page.goto(`${b.station.url}/${href2}`);
    await expect(page.locator('dd').filter({ hasText: /^Quick fixture B v1\.0\.0$/ })).toBeVisible();
  } finally {
    await b.close();
  }
});

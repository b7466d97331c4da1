/**
 * No one acts on a station without the right to: a real station behind its real server, clients
 * over real WebSockets (the station's page with its cookie, API tokens), TLS with a certificate
 * made by openssl, and the CLI as a child process.
 */
import { execFileSync, execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { SessionState, TokenInfo } from '#contract/auth.ts';
import type { StationEvent } from '#contract/events.ts';
import { ACCESS } from '#contract/access.ts';
import type { CommandName } from '#contract/commands.ts';
import { startServer, type RunningServer } from '#server/server.ts';
import { Sessions } from '#station/auth/sessions.ts';
import { LOCK_MS, MAX_FAILED_PINS } from '#station/auth/people.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { ApiClient, upgradeStatus } from '../helpers/ws.ts';
import { ADMIN, PEOPLE, setUpPeople } from '../helpers/people.ts';
import { REPO_ROOT, SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';

let t: TestStation;
let server: RunningServer;
let ui: { dir: string; remove(): void };
let ws: string;
const clients: ApiClient[] = [];

beforeAll(async () => {
  ui = tempDir('passline-ui-');
  writeFileSync(join(ui.dir, 'index.html'), '<!doctype html><div id="root"></div>');
  t = await openTestStation({ procedureId: 'quick' });
  server = await startServer(t.station, { host: '127.0.0.1', port: 0, staticDir: ui.dir, log: () => undefined });
  ws = `${server.url.replace(/^http/, 'ws')}/ws`;
});

afterAll(async () => {
  await server.close();
  await t.close();
  ui.remove();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function page(): Promise<ApiClient> {
  const c = await ApiClient.asPage(ws);
  clients.push(c);
  return c;
}

async function withToken(secret: string, path = '/ws'): Promise<ApiClient> {
  const c = await ApiClient.connect(ws.replace(/\/ws$/, path), { headers: { authorization: `Bearer ${secret}` } });
  clients.push(c);
  return c;
}

const state = async (c: ApiClient): Promise<SessionState> => {
  const r = await c.invoke('session.get', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as SessionState;
};

async function adminPage(): Promise<ApiClient> {
  const c = await page();
  await setUpPeople((name, input) => c.invoke(name, input));
  return c;
}

describe('a new station', () => {
  test("opens onto the operator's rights with no login; the first supervisor screen asks for the first admin, once", async () => {
    const c = await page();
    const s = await state(c);
    expect(s).toMatchObject({ session: { kind: 'anonymous', role: 'operator' }, setupRequired: true, requireBadgeLogin: false, resumeKey: null });
    // The operator tests right away.
    expect(await c.invoke('run.start', { serialNumber: 'Q-9001' })).toMatchObject({ ok: true });
    await t.station.ready();

    const made = await c.invoke('setup.createAdmin', ADMIN);
    expect(made).toMatchObject({ ok: true, value: { session: { kind: 'person', id: ADMIN.badge, role: 'admin' }, setupRequired: false } });
    // Once there is an admin, nobody else can make themselves one.
    const other = await page();
    expect(await other.invoke('setup.createAdmin', { badge: 'X-1', name: 'Mallory', pin: '1234' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'This station has an admin already: an admin adds people in People.' },
    });
  });
});

describe("an operator's session", () => {
  test('cannot call any supervisor or admin command: forbidden, naming the role needed', async () => {
    await adminPage();
    const c = await page();
    expect((await state(c)).session.role).toBe('operator');
    const above = (Object.keys(ACCESS) as CommandName[]).filter((n) => ACCESS[n].role !== null && ACCESS[n].role !== 'operator');
    expect(above).toEqual(
      expect.arrayContaining(['upload.retry', 'upload.drop', 'calibration.set', 'store.backup', 'people.add', 'tokens.create', 'audit.list']),
    );
    for (const name of above) {
      const r = await c.invoke(name, {});
      expect(r, name).toMatchObject({
        ok: false,
        error: { kind: 'forbidden', message: `${name} needs the role ${ACCESS[name].role} (you are logged in as an operator)` },
      });
    }
  });

  test('a `by` typed into an input is refused, never believed', async () => {
    const c = await adminPage();
    const r = await c.invoke('upload.drop', { by: 'NOBODY-AT-ALL', runIds: ['r1'] });
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid-input', message: 'by: who acts is taken from your login; leave by out' } });
  });
});

describe('logins', () => {
  test("a supervisor's badge without the PIN opens nothing; with it, the supervisor's commands open", async () => {
    await adminPage();
    const c = await page();
    const noPin = await c.invoke('session.login', { badge: PEOPLE.supervisor.badge });
    expect(noPin).toMatchObject({ ok: false, error: { kind: 'login.failed', message: "Not logged in: badge SUP-7 is a supervisor's: enter the PIN too." } });
    expect(await c.invoke('upload.listParked', {})).toMatchObject({ ok: false, error: { kind: 'forbidden' } });

    const ok = await c.invoke('session.login', { badge: PEOPLE.supervisor.badge, pin: PEOPLE.supervisor.pin });
    expect(ok).toMatchObject({
      ok: true,
      value: { session: { kind: 'person', id: 'SUP-7', name: 'Sam Supervisor', role: 'supervisor', expiresAt: expect.any(String) } },
    });
    expect(await c.invoke('upload.listParked', {})).toMatchObject({ ok: true });
    // Not an admin's.
    expect(await c.invoke('people.list', {})).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'people.list needs the role admin (you are logged in as a supervisor)' },
    });
    // Logout ends it.
    expect(await c.invoke('session.logout', {})).toMatchObject({ ok: true, value: { session: { kind: 'anonymous', role: 'operator' } } });
    expect(await c.invoke('upload.listParked', {})).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
  });

  test(`${MAX_FAILED_PINS} wrong PINs lock the badge; the right PIN is refused until the lock ends`, async () => {
    const admin = await adminPage();
    expect(await admin.invoke('people.add', { badge: 'SUP-LOCK', name: 'Lee Locked', role: 'supervisor', pin: '5555' })).toMatchObject({ ok: true });
    const c = await page();
    for (let i = 1; i <= MAX_FAILED_PINS; i++) {
      const r = await c.invoke('session.login', { badge: 'SUP-LOCK', pin: '0000' });
      expect(r, `try ${i}`).toMatchObject({ ok: false, error: { kind: 'login.failed', details: { field: 'pin' } } });
    }
    const locked = await c.invoke('session.login', { badge: 'SUP-LOCK', pin: '5555' });
    expect(locked).toMatchObject({
      ok: false,
      error: {
        kind: 'login.failed',
        message: expect.stringMatching(/^Not logged in: badge SUP-LOCK is locked after 5 wrong PINs until \d\d:\d\d:\d\d UTC\.$/),
      },
    });
    const listed = ((await admin.invoke('people.list', {})) as { value: { people: { badge: string; lockedUntil: string | null }[] } }).value.people;
    expect(Date.parse(listed.find((p) => p.badge === 'SUP-LOCK')!.lockedUntil!) - Date.now()).toBeLessThanOrEqual(LOCK_MS);
    // An admin's PIN reset lifts the lock.
    expect(await admin.invoke('people.resetPin', { badge: 'SUP-LOCK', pin: '6666' })).toMatchObject({ ok: true, value: { lockedUntil: null } });
    expect(await c.invoke('session.login', { badge: 'SUP-LOCK', pin: '6666' })).toMatchObject({ ok: true });
  });

  test('disabling a person ends their open session at its next command; an admin cannot lock themselves out', async () => {
    const admin = await adminPage();
    await admin.invoke('people.add', { badge: 'TEC-9', name: 'Tia', role: 'technician', pin: '2580' });
    const c = await page();
    expect(await c.invoke('session.login', { badge: 'TEC-9', pin: '2580' })).toMatchObject({ ok: true });
    expect(await c.invoke('ports.list', {})).toMatchObject({ ok: true });
    expect(await admin.invoke('people.update', { badge: 'TEC-9', disabled: true })).toMatchObject({ ok: true, value: { disabled: true } });
    expect(await c.invoke('ports.list', {})).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(await c.invoke('session.login', { badge: 'TEC-9', pin: '2580' })).toMatchObject({
      ok: false,
      error: { message: 'Not logged in: badge TEC-9 (Tia) is disabled.' },
    });
    expect(await admin.invoke('people.update', { badge: ADMIN.badge, role: 'operator' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-input', message: 'badge: you cannot disable yourself or take away your own admin role (another admin can)' },
    });
  });

  test('a login is taken back after a reconnect with its key, and not after logout', async () => {
    await adminPage();
    const c = await page();
    const s = ((await c.invoke('session.login', { badge: PEOPLE.technician.badge, pin: PEOPLE.technician.pin })) as { value: SessionState }).value;
    expect(s.resumeKey).toEqual(expect.any(String));
    await c.close();
    const again = await page();
    expect((await state(again)).session.kind).toBe('anonymous');
    expect(await again.invoke('session.resume', { resumeKey: s.resumeKey })).toMatchObject({ ok: true, value: { session: { id: PEOPLE.technician.badge } } });
    await again.invoke('session.logout', {});
    const third = await page();
    expect(await third.invoke('session.resume', { resumeKey: s.resumeKey })).toMatchObject({ ok: true, value: { session: { kind: 'anonymous' } } });
  });

  test('a session ends after settings.sessionIdleMinutes without a command', () => {
    const person = { badge: 'S', name: 'S', role: 'supervisor' as const, disabled: false, hasPin: true, createdAt: '', updatedAt: '', lockedUntil: null, language: null };
    const sessions = new Sessions({ idleMinutes: () => 15, requireBadgeLogin: () => false });
    const caller = Sessions.ui('127.0.0.1');
    const t0 = Date.parse('2026-12-04T08:00:00Z');
    const login = sessions.login(caller, person, t0);
    expect(sessions.session(caller)).toMatchObject({ role: 'supervisor', expiresAt: '2026-12-04T08:15:00.000Z' });
    sessions.touch(caller, t0 + 10 * 60_000);
    expect(sessions.expire(caller, t0 + 24 * 60_000)).toBeNull();
    expect(sessions.expire(caller, t0 + 25 * 60_000 + 1)).toBe(login);
    expect(sessions.session(caller)).toMatchObject({ kind: 'anonymous', role: 'operator' });
    expect(sessions.resume(Sessions.ui('127.0.0.1'), login.key, t0 + 26 * 60_000)).toBeNull();
  });
});

describe('settings.requireBadgeLogin', () => {
  test('no run starts until an operator logs in with a badge an admin added; an unknown badge is refused', async () => {
    const strict = await openTestStation({ procedureId: 'quick', settings: { requireBadgeLogin: true } });
    try {
      const invoke = (name: string, input: unknown) => strict.station.invoke(name, input);
      expect(await invoke('session.get', {})).toMatchObject({ ok: true, value: { session: { role: null }, requireBadgeLogin: true } });
      // The screen still shows the station.
      expect(await invoke('station.snapshot', {})).toMatchObject({ ok: true });
      expect(await invoke('run.start', { serialNumber: 'Q-9101' })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden', message: 'run.start needs an operator to log in first' },
      });
      await setUpPeople(invoke, ['operator']);
      await invoke('session.logout', {});
      expect(await invoke('scan.submit', { text: 'OP-404' })).toMatchObject({
        ok: false,
        error: { kind: 'login.failed', message: 'Not logged in: badge OP-404 is not known on this station: an admin adds operators in People.' },
      });
      expect(await invoke('session.login', { badge: PEOPLE.operator.badge, pin: PEOPLE.operator.pin })).toMatchObject({ ok: true });
      const started = await invoke('run.start', { serialNumber: 'Q-9102' });
      expect(started).toMatchObject({ ok: true });
      expect((await strict.ended((started as { value: { runId: string } }).value.runId)).data.outcome).toBe('PASS');
      expect((await strict.record((started as { value: { runId: string } }).value.runId)).operatorId).toBe(PEOPLE.operator.badge);
    } finally {
      await strict.close();
    }
  });
});

describe('API tokens', () => {
  test('no token, an unknown one or a revoked one is refused at the door; a token works within its scope only and its use is recorded', async () => {
    const admin = await adminPage();
    expect(await upgradeStatus(ws)).toBe(401);
    expect(await upgradeStatus(ws, { headers: { authorization: 'Bearer pl_nope_nope' } })).toBe(401);
    expect(await upgradeStatus(ws.replace(/\/ws$/, '/events'))).toBe(401);

    const made = (await admin.invoke('tokens.create', { name: 'line dashboard', scope: 'runs:read' })) as {
      ok: true;
      value: { token: TokenInfo; secret: string };
    };
    expect(made.value.secret).toMatch(/^pl_[0-9a-f]{12}_[\w-]{43}$/);
    // Shown once: the list never carries it.
    const listed = JSON.stringify(await admin.invoke('tokens.list', {}));
    expect(listed).toContain(made.value.token.id);
    expect(listed).not.toContain(made.value.secret.slice(-20));

    const dash = await withToken(made.value.secret);
    expect(await dash.invoke('runs.list', { limit: 5 })).toMatchObject({ ok: true });
    expect(await dash.invoke('session.get', {})).toMatchObject({
      ok: true,
      value: { session: { kind: 'token', id: made.value.token.id, scope: 'runs:read' } },
    });
    expect(await dash.invoke('run.start', { serialNumber: 'Q-9002' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'run.start needs a token with the scope operate (this token has runs:read)' },
    });
    expect(await dash.invoke('tokens.create', { name: 'x', scope: 'supervise' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: expect.stringMatching(/^tokens.create is not for API tokens/) },
    });
    expect(await dash.invoke('session.login', { badge: ADMIN.badge, pin: ADMIN.pin })).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    const used = ((await admin.invoke('tokens.list', {})) as { value: { tokens: TokenInfo[] } }).value.tokens.find((x) => x.id === made.value.token.id)!;
    expect(used).toMatchObject({ lastUsedAt: expect.any(String), lastUsedFrom: expect.stringMatching(/127\.0\.0\.1$/), createdBy: ADMIN.badge });

    // Revoked: the open connection loses it at its next command, a new one is refused.
    expect(await admin.invoke('tokens.revoke', { id: made.value.token.id })).toMatchObject({ ok: true, value: { revokedAt: expect.any(String) } });
    expect(await dash.invoke('runs.list', { limit: 5 })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: expect.stringMatching(/was revoked/) },
    });
    expect(await upgradeStatus(ws, { headers: { authorization: `Bearer ${made.value.secret}` } })).toBe(401);
  });

  test('an events:read token reads the stream and nothing else; operate starts runs, recorded as run by the token', async () => {
    const admin = await adminPage();
    const reader = ((await admin.invoke('tokens.create', { name: 'andon board', scope: 'events:read' })) as { value: { secret: string } }).value.secret;
    const mes = ((await admin.invoke('tokens.create', { name: 'MES', scope: 'operate' })) as { value: { token: TokenInfo; secret: string } }).value;
    const stream = await withToken(reader, '/events');
    const r = await withToken(reader);
    expect(await r.invoke('runs.list', {})).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'runs.list needs a token with the scope runs:read (this token has events:read)' },
    });
    const m = await withToken(mes.secret);
    const started = (await m.invoke('run.start', { serialNumber: 'Q-9003' })) as { ok: true; value: { runId: string } };
    expect(started.ok).toBe(true);
    await stream.next((f) => (f as StationEvent).kind === 'run.ended' && (f as StationEvent).runId === started.value.runId, 'the run on the stream');
    expect((await t.record(started.value.runId)).operatorId).toBe(`token:${mes.token.id}`);
    await t.station.ready();
  });

  test("a token's stream on loopback without a token is only open when the admin allows it", async () => {
    const open = await openTestStation({ procedureId: 'quick', settings: { openEventsOnLoopback: true } });
    const s = await startServer(open.station, { host: '127.0.0.1', port: 0, log: () => undefined });
    try {
      const base = s.url.replace(/^http/, 'ws');
      expect(await upgradeStatus(`${base}/events`)).toBeNull();
      // Commands never are.
      expect(await upgradeStatus(`${base}/ws`)).toBe(401);
    } finally {
      await s.close();
      await open.close();
    }
  });
});

describe('listening beyond this machine', () => {
  test('the station refuses a non-loopback bind without TLS, saying why; the headless station exits with that line', async () => {
    await expect(startServer(t.station, { host: '0.0.0.0', port: 0, log: () => undefined })).rejects.toThrow(
      /^listenHost 0\.0\.0\.0 is not loopback: a station reachable from other machines serves only over TLS, and every client there needs an API token\. Set tls\.cert and tls\.key/,
    );
    const dir = tempDir('passline-bind-');
    try {
      writeFileSync(join(dir.dir, 'settings.json'), JSON.stringify({ listenHost: '0.0.0.0' }));
      const out = await promisify(execFile)(
        process.execPath,
        ['--disable-warning=ExperimentalWarning', join(REPO_ROOT, 'electron/server/main.ts'), '--data-dir', dir.dir, '--port', '0'],
        {
          timeout: 30_000,
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/^Passline station could not start: listenHost 0\.0\.0\.0 is not loopback/m);
    } finally {
      dir.remove();
    }
  });

  test('with TLS the station serves wss: a token gets in, a client with no token is refused, plain HTTP gets nothing', async () => {
    const dir = tempDir('passline-tls-');
    const cert = join(dir.dir, 'cert.pem');
    const key = join(dir.dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      {
        stdio: 'ignore',
      },
    );
    const s = await startServer(t.station, { host: '0.0.0.0', port: 0, tls: { cert, key }, log: () => undefined });
    try {
      expect(s.url).toMatch(/^https:/);
      const admin = await adminPage();
      const secret = ((await admin.invoke('tokens.create', { name: 'plant MES', scope: 'supervise' })) as { value: { secret: string } }).value.secret;
      const url = `wss://127.0.0.1:${s.port}/ws`;
      const ca = readFileSync(cert);
      expect(await upgradeStatus(url, { ca })).toBe(401);
      const c = await ApiClient.connect(url, { ca, headers: { authorization: `Bearer ${secret}` } });
      clients.push(c);
      expect(await c.invoke('upload.listParked', {})).toMatchObject({ ok: true });
      // Plain HTTP on the TLS port gets nothing.
      await expect(fetch(`http://127.0.0.1:${s.port}/healthz`)).rejects.toThrow();
    } finally {
      await s.close();
      dir.remove();
    }
  });
});

describe('the command line', () => {
  test('needs no login, and its runs are recorded as run by the OS user', async () => {
    const out = await promisify(execFile)(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        join(REPO_ROOT, 'electron/station/cli.ts'),
        'run',
        join(SHIPPED_SEQUENCES, 'example-limits'),
        '--serial',
        'EX-1',
        '--json',
      ],
      { timeout: 60_000 },
    ).catch((e: { stdout: string }) => e);
    const started = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StationEvent)
      .find((e) => e.kind === 'run.started');
    expect(started?.kind === 'run.started' && started.data.operatorId).toBe(`os:${userInfo().username}`);
  });
});

/**
 * Instruments and scans through the real station: a runner process per socket
 * talks to simulated instruments on socat ptys and TCP ports, exactly as it would
 * to bench instruments. Safe state after a runner kill, a cable pulled mid-query,
 * I/O trace of a failed phase, calibration refusal and override, retest rules,
 * scan routing, a serial scanner on a pty, port listing and "test connection".
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { gs1CheckDigit } from '#contract/scans.ts';
import type { StationError } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import { PtyPair } from '#station/instruments/sim-server.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { SimLab, until } from '../helpers/sim-bench.ts';
import { PEOPLE, loginAs, setUpPeople, supervisorApproval, type Invoke } from '../helpers/people.ts';

/** A technician sets due dates (logged in on the station's screen), then leaves it to the operator. */
async function setCalibration(t: TestStation, entries: { model: string; serial: string; dueDate: string }[]): Promise<void> {
  const invoke: Invoke = (name, input) => t.station.invoke(name, input);
  await loginAs(invoke, 'technician');
  for (const e of entries) {
    const set = await invoke('calibration.set', { maker: 'Passline Sim', ...e });
    if (!set.ok) throw new Error(set.error.message);
  }
  await invoke('session.logout', {});
}

let lab: SimLab;
let ts: TestStation | null = null;
beforeEach(() => {
  lab = new SimLab();
});
afterEach(async () => {
  await ts?.close();
  ts = null;
  await lab.close();
});

/** A bench serial with its GS1 check digit: BENCH-P01A-2601-<n><check>[-MODE]. */
const serial = (n: string, mode?: 'FAIL' | 'HOLD') => `BENCH-P01A-2601-${n}${gs1CheckDigit(n)}${mode ? `-${mode}` : ''}`;
const withDriver = (address: string, driver: string) => `${address}${address.includes('?') ? '&' : '?'}driver=${driver}`;

async function open(settings: Record<string, unknown> = {}): Promise<TestStation> {
  ts = await openTestStation({ procedureId: 'bench', settings });
  return ts;
}

/** Both instruments connected and identified. */
async function identified(t: TestStation, names = ['psu', 'dmm']): Promise<void> {
  for (const name of names) await t.events.waitFor('instrument.changed', (e) => e.data.name === name && e.data.identity !== undefined);
}

async function refusal(t: TestStation, name: string, input: unknown): Promise<StationError> {
  const r = await t.station.invoke(name, input);
  if (r.ok) throw new Error(`${name} was accepted`);
  return r.error;
}

async function started(t: TestStation, input: Record<string, unknown>): Promise<string> {
  const r = await t.station.invoke('run.start', input);
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return (r.value as { runId: string }).runId;
}

describe('safe state', () => {
  test("killing the runner while the supply is on: the run's teardown switches it off in the fresh runner, then the safe state", async () => {
    const psu = await lab.pty('psu');
    const dmm = await lab.tcp('dmm');
    const t = await open({ instruments: { psu: withDriver(psu.address, 'psu'), dmm: withDriver(dmm.address, 'dmm') } });
    await identified(t);
    const runId = await t.start(serial('100', 'HOLD'));
    await t.events.waitFor('run.logged', (e) => e.runId === runId && e.data.log.message === 'holding with the supply on');
    expect(lab.bench.psuOutput).toBe(true);

    // What the supply's output was when the station started the next runner.
    let outputAtRestart: boolean | null = null;
    const afterKill = t.events.events.at(-1)!.seq;
    const off = t.station.bus.subscribe((e: StationEvent) => {
      if (e.kind === 'runner.changed' && e.data.state === 'starting' && outputAtRestart === null) outputAtRestart = lab.bench.psuOutput;
    }, afterKill);
    const pid = (await t.events.waitFor('runner.changed', (e) => e.data.state === 'ready')).data.pid!;
    const offsBefore = psu.device.received.filter((c) => c === 'OUTP OFF').length;
    process.kill(pid, 'SIGKILL');

    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('ERROR');
    expect(ended.data.outcomeReason).toMatch(/^the runner process crashed \(signal SIGKILL\) during the run$/);
    await until(() => !lab.bench.psuOutput, 'the supply is switched off');
    await t.events.waitFor('runner.changed', (e) => e.data.state === 'starting', { afterSeq: afterKill });
    off();
    // Teardown first: the station left the supply as the run had it for the fresh runner's teardown.
    expect(outputAtRestart).toBe(true);
    expect((await t.record(runId)).phases.find((p) => p.name === 'power_off')?.outcome).toBe('PASS');
    expect(psu.device.received.filter((c) => c === 'OUTP OFF').length).toBeGreaterThan(offsBefore);
    expect(t.logs.filter((l) => l.includes('safe state'))).toEqual([]);
    // The new runner opens the instruments again.
    await t.events.waitFor('instrument.changed', (e) => e.data.name === 'psu' && e.data.state === 'connected', { afterSeq: afterKill });
  });

  test('after an operator abort and at the end of every run', async () => {
    const psu = await lab.tcp('psu');
    const dmm = await lab.tcp('dmm');
    const t = await open({ instruments: { psu: withDriver(psu.address, 'psu'), dmm: withDriver(dmm.address, 'dmm') } });
    await identified(t);
    const runId = await t.start(serial('101', 'HOLD'));
    await t.events.waitFor('run.logged', (e) => e.runId === runId && e.data.log.message === 'holding with the supply on');
    expect(lab.bench.psuOutput).toBe(true);
    expect((await t.station.invoke('run.abort', { socket: 0 })).ok).toBe(true);
    expect((await t.ended(runId)).data.outcome).toBe('ABORTED');
    await until(() => !lab.bench.psuOutput, 'the supply is switched off');
    // A run that passes: the procedure's own teardown and then the station's safe state.
    const offs = psu.device.received.filter((c) => c === 'OUTP OFF').length;
    const second = await t.start(serial('102'));
    expect((await t.ended(second)).data.outcome).toBe('PASS');
    expect(psu.device.received.filter((c) => c === 'OUTP OFF').length).toBe(offs + 2);
  });
});

test('a cable pulled mid-query: the phase is ERROR "instrument dmm disconnected", the station shows it, and it comes back by itself', async () => {
  const psu = await lab.tcp('psu');
  const dmm = await lab.pty('dmm');
  const t = await open({ instruments: { psu: withDriver(psu.address, 'psu'), dmm: withDriver(dmm.address, 'dmm') } });
  await identified(t);
  dmm.device.fault = { kind: 'no-reply' };
  const runId = await t.start(serial('103'));
  await until(() => dmm.device.received.includes('MEAS:VOLT:DC? (@1)'), 'the query reaches the meter');
  const t0 = performance.now();
  await dmm.unplug();

  const ended = await t.ended(runId);
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(ended.data.outcome).toBe('ERROR');
  expect(ended.data.outcomeReason).toMatch(/^rail: instrument dmm disconnected \(.*was unplugged\)$/);
  const down = await t.events.waitFor('instrument.changed', (e) => e.data.name === 'dmm' && e.data.state === 'disconnected');
  expect(down.socket).toBe(0);
  // While it is out, the station says why (the pty is gone).
  expect(t.station.snapshot().sockets[0]!.instruments?.find((i) => i.name === 'dmm')).toMatchObject({
    state: 'disconnected',
    message: expect.stringMatching(/unplugged|does not exist/),
  });

  // The failed phase carries the I/O trace; the phase that passed does not.
  const rec = await t.record(runId);
  const rail = rec.phases.find((p) => p.name === 'rail')!;
  expect(rail.outcome).toBe('ERROR');
  const trace = rail.logs.filter((l) => l.source === 'io-trace').map((l) => l.message);
  expect(trace).toContain('dmm → "MEAS:VOLT:DC? (@1)\\n"');
  expect(trace[0]).toMatch(/^I\/O trace of (dmm|psu) \(/);
  expect(rec.phases.find((p) => p.name === 'power_on')!.logs.filter((l) => l.source === 'io-trace')).toEqual([]);

  dmm.device.fault = { kind: 'none' };
  await dmm.plug();
  const up = await t.events.waitFor('instrument.changed', (e) => e.data.name === 'dmm' && e.data.state === 'connected' && e.data.identity !== undefined, {
    afterSeq: down.seq,
  });
  expect(up.data.identity).toMatchObject({ model: 'DMM-6500S', serial: 'SIM0001' });
  const again = await t.start(serial('104'));
  expect((await t.ended(again)).data.outcome).toBe('PASS');
});

describe('calibration', () => {
  test('a run with an instrument past due is refused, unless a supervisor overrides; the override is on the run', async () => {
    const t = await open();
    await identified(t);
    // The operator's screen may not change calibration.
    expect(await t.station.invoke('calibration.set', { maker: 'Passline Sim', model: 'DMM-6500S', serial: 'SIM0001', dueDate: '2999-01-01' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'calibration.set needs the role technician (you are logged in as an operator)' },
    });
    await setUpPeople((name, input) => t.station.invoke(name, input));
    await setCalibration(t, [
      { model: 'DMM-6500S', serial: 'SIM0001', dueDate: '2020-01-31' },
      { model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2999-12-31' },
    ]);

    const e = await refusal(t, 'run.start', { serialNumber: serial('200') });
    expect(e.kind).toBe('calibration.overdue');
    expect(e.message).toBe(
      'Calibration past due: dmm (Passline Sim DMM-6500S, serial SIM0001) was due 2020-01-31. A supervisor must override to test with it.',
    );
    expect(t.station.snapshot().sockets[0]!.run).toBeNull();

    const notSupervisor = await refusal(t, 'run.start', {
      serialNumber: serial('200'),
      override: { supervisorId: PEOPLE.technician.badge, pin: PEOPLE.technician.pin },
    });
    expect(notSupervisor).toMatchObject({
      kind: 'supervisor.invalid',
      message: "Not approved: badge TEC-1 (Tam Technician) is a technician's, not a supervisor's.",
    });
    // A copied supervisor badge with a guessed PIN opens nothing.
    const guessed = await refusal(t, 'run.start', { serialNumber: serial('200'), override: { supervisorId: PEOPLE.supervisor.badge, pin: '0000' } });
    expect(guessed).toMatchObject({ kind: 'supervisor.invalid', message: 'Not approved: wrong PIN for badge SUP-7.', details: { field: 'override.pin' } });
    expect(t.station.snapshot().sockets[0]!.run).toBeNull();

    const runId = await started(t, { serialNumber: serial('200'), override: supervisorApproval('recalibration booked') });
    expect((await t.ended(runId)).data.outcome).toBe('PASS');
    const rec = await t.record(runId);
    expect(rec.overrides).toEqual([
      {
        kind: 'calibration.overdue',
        by: 'SUP-7',
        at: expect.any(String),
        reason: 'recalibration booked',
        message: 'Calibration past due: dmm (Passline Sim DMM-6500S, serial SIM0001) was due 2020-01-31.',
      },
    ]);
    expect(rec.instruments).toEqual(
      expect.arrayContaining([
        { name: 'dmm', address: 'sim:dmm', maker: 'Passline Sim', model: 'DMM-6500S', serial: 'SIM0001', calibrationDue: '2020-01-31' },
        { name: 'psu', address: 'sim:psu', maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', calibrationDue: '2999-12-31' },
      ]),
    );
    const list = await t.station.invoke('instruments.list', {});
    expect(
      list.ok && (list.value as { instruments: { name: string; calibrationOverdue?: boolean }[] }).instruments.find((i) => i.name === 'dmm'),
    ).toMatchObject({ calibrationOverdue: true });

    // Back from calibration: no refusal.
    await setCalibration(t, [{ model: 'DMM-6500S', serial: 'SIM0001', dueDate: '2999-01-01' }]);
    const ok = await started(t, { serialNumber: serial('201') });
    expect((await t.ended(ok)).data.outcome).toBe('PASS');
    expect((await t.record(ok)).overrides).toBeUndefined();
  });

  test('a badge nobody was given cannot override, and the refusal says why', async () => {
    const t = await open();
    await identified(t);
    await setUpPeople((name, input) => t.station.invoke(name, input), ['technician']);
    await setCalibration(t, [{ model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2001-01-01' }]);
    expect((await refusal(t, 'run.start', { serialNumber: serial('202'), override: { supervisorId: 'SUP-9', pin: '7777' } })).message).toBe(
      'Not approved: badge SUP-9 is not known on this station.',
    );
  });
});

test('retest rules: a passed unit is flagged; after 2 failures a supervisor approves each further try', async () => {
  const t = await open();
  await identified(t);
  await setUpPeople((name, input) => t.station.invoke(name, input), ['supervisor']);
  await t.station.invoke('session.logout', {});
  const good = serial('300');
  expect((await t.ended(await t.start(good))).data.outcome).toBe('PASS');
  const again = await refusal(t, 'run.start', { serialNumber: good });
  expect(again.kind).toBe('retest.already-passed');
  expect(again.message).toMatch(new RegExp(`^${good} already passed Bench fixture on \\d{4}-\\d{2}-\\d{2}\\. Confirm to test it again\\.$`));
  // The operator at the station scanned their badge: the confirmation is theirs.
  expect(await t.station.invoke('scan.submit', { text: 'OP-5' })).toMatchObject({ ok: true, value: { route: 'badge', id: 'OP-5' } });
  const retest = await started(t, { serialNumber: good, confirmRetest: true });
  await t.ended(retest);
  expect((await t.record(retest)).overrides).toMatchObject([{ kind: 'retest.already-passed', by: 'OP-5' }]);

  const bad = serial('301', 'FAIL');
  for (let i = 0; i < 2; i++) expect((await t.ended(await t.start(bad))).data.outcome).toBe('FAIL');
  const limit = await refusal(t, 'run.start', { serialNumber: bad });
  expect(limit).toMatchObject({
    kind: 'retest.limit-reached',
    message: `${bad} has failed Bench fixture 2 times (limit 2). A supervisor must approve another attempt.`,
  });
  const approved = await started(t, { serialNumber: bad, override: supervisorApproval() });
  expect((await t.ended(approved)).data.outcome).toBe('FAIL');
  expect((await t.record(approved)).overrides).toMatchObject([
    { kind: 'retest.limit-reached', by: 'SUP-7', message: `${bad} has failed Bench fixture 2 times (limit 2).` },
  ]);
  // Each further try needs its own approval.
  expect((await refusal(t, 'run.start', { serialNumber: bad })).message).toBe(
    `${bad} has failed Bench fixture 3 times (limit 2). A supervisor must approve another attempt.`,
  );
  // Counted per serial: another unit is not affected.
  expect((await t.ended(await t.start(serial('302')))).data.outcome).toBe('PASS');
});

describe('scans', () => {
  test('routed by pattern: a badge logs the operator in, a fixture label sets the fixture, a serial starts a run that records both', async () => {
    const t = await open();
    await identified(t);
    const scan = (text: string) => t.station.invoke('scan.submit', { text, socket: 0, source: 'keyboard' });
    expect(await scan('OP-42')).toEqual({ ok: true, value: { route: 'badge', id: 'OP-42' } });
    expect((await t.events.waitFor('operator.changed')).data.operatorId).toBe('OP-42');
    expect(t.station.snapshot().operatorId).toBe('OP-42');
    expect(await scan('FX-0007')).toEqual({ ok: true, value: { route: 'fixture', id: 'FX-0007' } });
    expect(t.station.snapshot().sockets[0]!.fixtureId).toBe('FX-0007');

    // A misread check digit is refused before anything runs.
    const misread = await scan('BENCH-P01A-2601-1235');
    expect(misread.ok).toBe(false);
    expect(!misread.ok && misread.error).toMatchObject({
      kind: 'serial.invalid',
      message: '"BENCH-P01A-2601-1235": check digit 5 is wrong (GS1 mod 10 gives 6): the label was misread or mistyped',
    });
    expect((await t.events.waitFor('scan.received', (e) => !e.data.accepted)).data).toMatchObject({
      text: 'BENCH-P01A-2601-1235',
      route: 'serial',
      source: 'keyboard',
    });

    const r = await scan(serial('400'));
    expect(r.ok && r.value).toMatchObject({ route: 'serial', runId: expect.any(String) });
    const runId = (r.ok && (r.value as { runId: string }).runId) || '';
    await t.ended(runId);
    const rec = await t.record(runId);
    expect(rec.operatorId).toBe('OP-42');
    expect(rec.fixtureId).toBe('FX-0007');
    // Named groups of the serial pattern fill the unit record.
    expect(rec.unit).toEqual({ serialNumber: serial('400'), partNumber: 'P01', revision: 'A', dateCode: '2601' });
  });

  test('a serial (USB-CDC) scanner on a pty: each line ending in the suffix is a scan with its time and source', async () => {
    const pair = new PtyPair(join(lab.dir, 'scanner-station'), join(lab.dir, 'scanner-device'));
    await pair.open();
    try {
      const t = await open({ scanners: [{ name: 'bench-scanner', port: `serial:${pair.a}?baud=9600`, suffix: 'cr' }] });
      await identified(t);
      const device = new SerialPort({ path: pair.b, baudRate: 9600, autoOpen: false });
      await new Promise<void>((resolve, reject) => device.open((e) => (e ? reject(e) : resolve())));
      await until(() => t.logs.some((l) => l.includes('scanner bench-scanner') && l.includes(': connected')), 'the scanner port is open');
      const write = (s: string) => new Promise<void>((resolve, reject) => device.write(s, (e) => (e ? reject(e) : device.drain(() => resolve()))));
      await write('OP-9\r');
      const badge = await t.events.waitFor('scan.received', (e) => e.data.text === 'OP-9');
      expect(badge.data).toMatchObject({ source: 'bench-scanner', route: 'badge', accepted: true, socket: 0 });
      expect(Date.parse(badge.data.at)).toBeGreaterThan(Date.now() - 10_000);
      // A code that arrives in pieces is one scan.
      const sn = serial('500');
      await write(sn.slice(0, 7));
      await write(`${sn.slice(7)}\r`);
      const unit = await t.events.waitFor('scan.received', (e) => e.data.text === sn);
      expect(unit.data).toMatchObject({ route: 'serial', accepted: true, runId: expect.any(String) });
      expect((await t.ended(unit.data.runId!)).data.outcome).toBe('PASS');
      expect((await t.record(unit.data.runId!)).operatorId).toBe('OP-9');
      await new Promise<void>((r) => device.close(() => r()));
    } finally {
      await pair.close();
    }
  });
});

describe('settings screen data', () => {
  test('ports.list without udevadm says so instead of failing', async () => {
    const t = await open();
    await loginAs((name, input) => t.station.invoke(name, input), 'technician');
    const path = process.env.PATH;
    process.env.PATH = join(lab.dir, 'empty-bin');
    try {
      const r = await t.station.invoke('ports.list', {});
      expect(r.ok).toBe(true);
      expect((r as { value: { problem?: string } }).value.problem).toMatch(/^udevadm is not installed, so serial ports cannot be listed/);
    } finally {
      process.env.PATH = path;
    }
    const withUdev = await t.station.invoke('ports.list', {});
    expect(withUdev.ok).toBe(true);
  });

  test('test connection returns the identity: on a fresh connection, or through the runner that holds the port', async () => {
    const spare = await lab.tcp('dmm');
    const psu = await lab.pty('psu');
    const t = await open({ instruments: { psu: withDriver(psu.address, 'psu') } });
    await identified(t, ['psu']);
    await loginAs((name, input) => t.station.invoke(name, input), 'technician');
    const fresh = await t.station.invoke('instrument.test', { address: spare.address });
    expect(fresh).toMatchObject({
      ok: true,
      value: { via: 'station', identity: { maker: 'Passline Sim', model: 'DMM-6500S', serial: 'SIM0001', firmware: '1.0.0' } },
    });
    // The runner holds the pty open (locked): the test goes through it.
    const held = await t.station.invoke('instrument.test', { address: psu.address.replace(/\?.*$/, '') });
    expect(held).toMatchObject({ ok: true, value: { via: 'runner', identity: { model: 'PSU-3303S' } } });
    const missing = await refusal(t, 'instrument.test', { address: `serial:${join(lab.dir, 'ttyUSB7')}`, timeoutMs: 500 });
    expect(missing).toMatchObject({ kind: 'instrument.disconnected', message: expect.stringContaining('does not exist (is the cable plugged in?)') });
    const bad = await refusal(t, 'instrument.test', { address: 'serial:/dev/ttyUSB0?baud=fast' });
    expect(bad.message).toBe('instrument "test": "serial:/dev/ttyUSB0?baud=fast": baud=fast: must be a whole number from 50 to 4000000');
  });
});

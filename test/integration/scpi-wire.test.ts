/**
 * The SCPI stack on real wires: simulated instruments served on socat
 * pseudo-terminals and TCP sockets, opened by address like real ones. Faults come
 * from the simulator (no reply, garbage, slow, split replies, hang-up) and from
 * pulling the "cable" (killing socat, closing the TCP listener).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectInstrument, type OpenedInstrument } from '#station/instruments/connect.ts';
import type { Dmm, PowerSupply } from '#station/instruments/drivers.ts';
import type { InstrumentError } from '#station/instruments/transport.ts';
import { SimLab, until } from '../helpers/sim-bench.ts';

let lab: SimLab;
const opened: OpenedInstrument[] = [];
beforeEach(() => {
  lab = new SimLab();
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.instrument.close();
  await lab.close();
});

function open(name: string, address: string): OpenedInstrument {
  const o = connectInstrument(name, address, { reconnectMs: 100 });
  opened.push(o);
  return o;
}

async function rejection(p: Promise<unknown>): Promise<InstrumentError> {
  try {
    await p;
  } catch (e) {
    return e as InstrumentError;
  }
  throw new Error('expected the call to fail');
}

describe.each(['pty', 'tcp'] as const)('over %s', (wire) => {
  const serve = (kind: 'dmm' | 'psu') => (wire === 'pty' ? lab.pty(kind) : lab.tcp(kind));

  test('the drivers run unchanged: identity, settings, measurements', async () => {
    const psuSim = await serve('psu');
    const dmmSim = await serve('dmm');
    const psu = open('psu', `${psuSim.address}${psuSim.address.includes('?') ? '&' : '?'}driver=psu`).instrument as PowerSupply;
    const dmm = open('dmm', `${dmmSim.address}${dmmSim.address.includes('?') ? '&' : '?'}driver=dmm`).instrument as Dmm;
    expect(await psu.identify()).toEqual({ maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', firmware: '1.0.0' });
    await psu.setVoltage(12);
    await psu.setCurrentLimit(0.5);
    await psu.output(true);
    expect(await psu.isOutputOn()).toBe(true);
    expect(await psu.measureCurrent()).toBeCloseTo(0.142, 5);
    expect(await dmm.measureDcVoltage(1)).toBeCloseTo(3.3, 5);
    expect(await dmm.measureDcVoltage(2)).toBeCloseTo(5.0, 5);
    expect(await dmm.measureResistance()).toBe(10_000);
    expect(await dmm.measureAcVoltage()).toBeCloseTo(0.012, 5);
    await psu.safeState();
    expect(await psu.isOutputOn()).toBe(false);
  });

  test('replies sent one byte at a time are framed the same', async () => {
    const sim = await serve('dmm');
    const dmm = open('dmm', `${sim.address}${sim.address.includes('?') ? '&' : '?'}driver=dmm`);
    lab.bench.psuOutput = true;
    lab.bench.psuVoltage = 12;
    sim.device.fault = { kind: 'split', gapMs: 1 };
    expect(await dmm.session.query('*IDN?')).toBe('Passline Sim,DMM-6500S,SIM0001,1.0.0');
    expect(await (dmm.instrument as Dmm).measureDcVoltage(1)).toBeCloseTo(3.3, 5);
    // A binary block byte by byte too, with its trailing terminator.
    const readings = await (dmm.instrument as Dmm).fetchReadings();
    expect(readings).toHaveLength(100);
    expect(readings[0]).toBe(0);
    expect(readings[5]).toBeCloseTo(0, 5);
    expect(readings[2]).toBeCloseTo(Math.sin((2 * Math.PI * 2) / 10), 5);
    expect(await dmm.session.query('*OPC?')).toBe('1');
  });

  test('no reply: the call fails with a timeout naming the command; the next one works', async () => {
    const sim = await serve('psu');
    const { session } = open('psu', sim.address);
    await session.identify();
    sim.device.fault = { kind: 'no-reply' };
    const t0 = performance.now();
    const e = await rejection(session.query('MEAS:VOLT?', { timeoutMs: 150 }));
    expect(e.kind).toBe('instrument.timeout');
    expect(e.message).toBe('instrument psu: no reply to MEAS:VOLT? within 150 ms');
    expect(performance.now() - t0).toBeLessThan(1000);
    sim.device.fault = { kind: 'none' };
    expect(await session.query('OUTP?')).toBe('0');
  });

  test('a slow reply that comes after its timeout is not taken as the next reply', async () => {
    const sim = await serve('psu');
    const o = open('psu', sim.address);
    await o.session.identify();
    sim.device.fault = { kind: 'slow', ms: 300 };
    const mark = o.connection.trace.mark();
    expect((await rejection(o.session.query('VOLT?', { timeoutMs: 100 }))).kind).toBe('instrument.timeout');
    sim.device.fault = { kind: 'none' };
    // The late "0.000" arrives; the next command starts clean.
    await until(() => o.connection.trace.since(mark).some((t) => t.dir === 'in'), 'the late reply arrives');
    expect(await o.session.query('*IDN?')).toContain('PSU-3303S');
  });

  test('garbage: the driver says what it got instead of a number', async () => {
    const sim = await serve('dmm');
    const dmm = open('dmm', `${sim.address}${sim.address.includes('?') ? '&' : '?'}driver=dmm`);
    sim.device.fault = { kind: 'garbage' };
    const e = await rejection((dmm.instrument as Dmm).measureDcVoltage(1));
    expect(e.kind).toBe('instrument.error');
    expect(e.message).toMatch(/^instrument dmm sent ".*" to MEAS:VOLT:DC\? \(@1\), expected a number$/);
  });

  test('callers queue: one command in flight, each gets its own reply; an abort while queued sends nothing', async () => {
    const sim = await serve('psu');
    const { session } = open('psu', sim.address);
    await session.write('VOLT 7.5');
    sim.device.latencyMs = 20;
    const ctl = new AbortController();
    const calls = [session.query('*IDN?'), session.query('VOLT?'), session.query('OUTP?', { signal: ctl.signal }), session.query('CURR?')];
    ctl.abort(new Error('operator aborted the run'));
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'Passline Sim,PSU-3303S,SIM0002,1.0.0',
      '7.500',
      'operator aborted the run',
      '1.000',
    ]);
    expect(sim.device.received).not.toContain('OUTP?');
  });

  test('an abort during a query ends it at once', async () => {
    const sim = await serve('psu');
    const { session } = open('psu', sim.address);
    await session.identify();
    sim.device.fault = { kind: 'no-reply' };
    const ctl = new AbortController();
    const p = session.query('OUTP?', { signal: ctl.signal, timeoutMs: 5000 });
    setTimeout(() => ctl.abort(new Error('phase timed out')), 20);
    const t0 = performance.now();
    expect((await rejection(p)).message).toBe('phase timed out');
    expect(performance.now() - t0).toBeLessThan(500);
  });

  test('SYST:ERR? after each command reports what the instrument refused', async () => {
    const sim = await serve('psu');
    const { session } = open('psu', `${sim.address}${sim.address.includes('?') ? '&' : '?'}checkErrors=1`);
    await session.write('VOLT 5');
    const e = await rejection(session.write('VOLTS 5'));
    expect(e.kind).toBe('instrument.error');
    expect(e.message).toBe('instrument psu reported -113,"Undefined header;VOLTS 5" after VOLTS 5');
    // Per call: off for this one.
    await session.write('BOGUS', { checkErrors: false });
    expect(await session.query('SYST:ERR?', { checkErrors: false })).toBe('-113,"Undefined header;BOGUS"');
  });

  test('a meter channel that is not there is an error, not 0 V; with errors checked, the instrument\'s own words', async () => {
    const sim = await serve('dmm');
    const sep = sim.address.includes('?') ? '&' : '?';
    // Without error checks: no reply, as from a real meter.
    const plain = open('dmm-plain', `${sim.address}${sep}driver=dmm&timeout=300`).instrument as Dmm;
    expect((await rejection(plain.measureDcVoltage(7))).kind).toBe('instrument.timeout');
    await plain.close();
    const dmm = open('dmm', `${sim.address}${sep}driver=dmm&timeout=300&checkErrors=1`).instrument as Dmm;
    await dmm.scpi.write('*CLS');
    const e = await rejection(dmm.measureDcVoltage(7));
    expect(e.kind).toBe('instrument.error');
    expect(e.message).toMatch(/^instrument dmm reported -222,"Data out of range;channel 7 is not simulated \(channels 1, 2\)" after MEAS:VOLT:DC\? \(@7\) \(no reply within \d+ ms\)$/);
    // The queue is read: the next call is clean (0 V: the supply is off).
    expect(await dmm.measureDcVoltage(1)).toBe(0);
  });

  test('*OPC? synchronisation', async () => {
    const sim = await serve('psu');
    const { session } = open('psu', sim.address);
    await session.writeSync('VOLT 3.3');
    expect(lab.bench.psuVoltage).toBe(3.3);
    await session.opc();
    expect(sim.device.received.slice(-2)).toEqual(['VOLT 3.3;*OPC?', '*OPC?']);
  });

  test('the cable pulled mid-query: "instrument psu disconnected" at once; back by itself when the cable is back', async () => {
    const sim = await serve('psu');
    const o = open('psu', `${sim.address}${sim.address.includes('?') ? '&' : '?'}driver=psu`);
    const states: string[] = [];
    o.connection.onState((s) => states.push(s));
    await o.session.identify();
    sim.device.fault = { kind: 'no-reply' };
    const p = o.session.query('MEAS:CURR?', { timeoutMs: 5000 });
    await until(() => sim.device.received.includes('MEAS:CURR?'), 'the query reaches the instrument');
    const t0 = performance.now();
    await sim.unplug();
    const e = await rejection(p);
    expect(e.kind).toBe('instrument.disconnected');
    expect(e.message).toMatch(/^instrument psu disconnected/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(o.connection.state).toBe('disconnected');
    // While it is out, calls fail at once rather than waiting out their timeout.
    expect((await rejection(o.session.query('*IDN?', { timeoutMs: 5000 }))).kind).toBe('instrument.disconnected');
    sim.device.fault = { kind: 'none' };
    await sim.plug();
    await until(() => o.connection.state === 'connected', 'reconnected');
    expect(await (o.instrument as PowerSupply).isOutputOn()).toBe(false);
    expect(states).toEqual(['connected', 'disconnected', 'connected']);
  });

  test('the instrument hangs up on a command (fault: disconnect)', async () => {
    const sim = await serve('dmm');
    const o = open('dmm', sim.address);
    await o.session.identify();
    sim.device.fault = { kind: 'disconnect' };
    const e = await rejection(o.session.query('MEAS:VOLT?', { timeoutMs: 3000 }));
    expect(e.message).toMatch(/^instrument dmm disconnected/);
  });
});

test('an instrument that is not there at open: disconnected with the reason, connected once it appears', async () => {
  const sim = await lab.tcp('psu');
  const address = sim.address;
  await sim.unplug();
  const o = open('psu', address);
  await until(() => o.connection.state === 'disconnected', 'disconnected');
  expect(o.connection.message).toMatch(/refused the connection \(is the instrument on\?\)/);
  await sim.plug();
  await until(() => o.connection.state === 'connected', 'connected');
  expect((await o.instrument.identify()).serial).toBe('SIM0002');
});

test('a serial port that does not exist says so', async () => {
  const o = open('psu', `serial:${join(lab.dir, 'ttyUSB9')}`);
  await until(() => o.connection.state === 'disconnected', 'disconnected');
  expect(o.connection.message).toBe(`${join(lab.dir, 'ttyUSB9')} does not exist (is the cable plugged in?)`);
  expect((await rejection(o.session.query('*IDN?'))).message).toBe(
    `instrument psu disconnected (${join(lab.dir, 'ttyUSB9')} does not exist (is the cable plugged in?))`,
  );
});

test('usbtmc: a character device opened, written and read (a pty stands in for /dev/usbtmc0)', async () => {
  const sim = await lab.pty('psu');
  const path = sim.address.replace(/^serial:/, '').replace(/\?.*$/, '');
  const o = open('psu', `usbtmc:${path}?driver=psu`);
  expect(await o.instrument.identify()).toMatchObject({ model: 'PSU-3303S' });
  await (o.instrument as PowerSupply).setVoltage(5);
  expect(await o.session.query('VOLT?')).toBe('5.000');
});

test('record a session to a file, replay it deterministically; a different command is named', async () => {
  lab.bench.noise = 1;
  const sim = await lab.tcp('dmm');
  const file = join(lab.dir, 'dmm.scpi.jsonl');
  const rec = open('dmm', `${sim.address}?driver=dmm&record=${encodeURIComponent(file)}`);
  lab.bench.psuOutput = true;
  lab.bench.psuVoltage = 12;
  const dmm = rec.instrument as Dmm;
  const live = [await dmm.measureDcVoltage(1), await dmm.measureDcVoltage(2), (await dmm.fetchReadings()).length, (await dmm.identify()).serial];
  await rec.instrument.close();
  expect(readFileSync(file, 'utf8').split('\n')[0]).toContain('"kind":"passline-scpi-recording"');
  await sim.unplug();

  for (let i = 0; i < 2; i++) {
    const rep = open('dmm', `replay:${file}?driver=dmm`).instrument as Dmm;
    expect([await rep.measureDcVoltage(1), await rep.measureDcVoltage(2), (await rep.fetchReadings()).length, (await rep.identify()).serial]).toEqual(live);
    await rep.close();
  }
  const wrong = open('dmm', `replay:${file}?driver=dmm`).instrument as Dmm;
  const e = await rejection(wrong.measureDcVoltage(2));
  expect(e.message).toBe(`replay ${file}: command 1 was recorded as "MEAS:VOLT:DC? (@1)\\n", but the sequence sent "MEAS:VOLT:DC? (@2)\\n"`);
});

/**
 * The README's simulator recipe with one instrument moved: sim-cli (a real child process)
 * serves the supply on a socat pty, or the meter on TCP, while the other stays in the
 * station's runner. Either way the demo passes: a supply moved out powers the runner's
 * simulated board (the bench follows the commands the station sends it), and a meter
 * served alone reads the board as powered by the supply it cannot see.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, test } from 'vitest';
import { connectInstrument, suppliesFollowed, type OpenedInstrument } from '#station/instruments/connect.ts';
import type { Dmm, PowerSupply } from '#station/instruments/drivers.ts';
import { PtyPair, servePty } from '#station/instruments/sim-server.ts';
import { SimBench, SimDevice } from '#station/instruments/sim.ts';
import type { RunRecord } from '#contract/records.ts';
import { REPO_ROOT, SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';

const SIM_CLI = join(REPO_ROOT, 'electron/station/instruments/sim-cli.ts');
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const t = tempDir('passline-sim-split-');
  cleanups.push(t.remove);
  return t.dir;
}

/** `node sim-cli.ts …` as the README says; resolves with the address it prints for each instrument. */
async function simCli(
  ...args: string[]
): Promise<{ proc: ChildProcess; addresses: Record<string, string>; lines: string[]; line(text: string): Promise<void> }> {
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', SIM_CLI, '--noise', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    await gone;
  });
  const want = args.filter((a) => a === '--psu' || a === '--dmm').map((a) => a.slice(2));
  const addresses: Record<string, string> = {};
  const lines: string[] = [];
  const waiting: { text: string; resolve: () => void }[] = [];
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`sim-cli printed no addresses within 10 s: ${lines.join(' | ')} ${err}`)), 10_000);
    proc.once('exit', (code) => reject(new Error(`sim-cli exited (${code}): ${err}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      lines.push(line);
      for (const w of waiting.filter((x) => x.text === line)) w.resolve();
      const m = /^(psu|dmm): (\S+)$/.exec(line);
      if (m) addresses[m[1]!] = m[2]!;
      if (want.every((k) => addresses[k])) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const line = (text: string) => (lines.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve })));
  return { proc, addresses, lines, line };
}

/** The demo procedure, with the station's settings moving some instruments. */
async function demoRun(instruments: Record<string, string>, serial = 'DEMO-0001'): Promise<RunRecord> {
  const t: TestStation = await openTestStation({ procedureId: 'demo-board', sequenceFolder: SHIPPED_SEQUENCES, settings: { instruments } });
  cleanups.push(() => t.close());
  // Each instrument answered *IDN?, so the record names who was on the other end.
  for (const name of ['psu', 'dmm']) await t.events.waitFor('instrument.changed', (e) => e.data.name === name && e.data.identity !== undefined);
  const runId = await t.start(serial);
  const asked = await t.events.waitFor('prompt.opened', (e) => e.runId === runId);
  await t.station.invoke('prompt.answer', { promptId: asked.data.prompt.id, answer: true });
  await t.ended(runId);
  return t.record(runId);
}

const measured = (rec: RunRecord, name: string) => rec.phases.flatMap((p) => p.measurements).find((m) => m.name === name);

describe('the README recipe with one simulator moved', () => {
  test('only the supply on a socat pty (sim-cli --psu pty:…): the in-process meter reads the rails it powers, and the demo passes', async () => {
    const sim = await simCli('--psu', `pty:${join(scratch(), 'psu')}`);
    expect(sim.addresses.psu).toMatch(/^serial:\S+\/psu\?baud=115200&driver=psu$/);
    const rec = await demoRun({ psu: sim.addresses.psu! });
    expect(rec.instruments?.find((i) => i.name === 'psu')).toMatchObject({ address: sim.addresses.psu, model: 'PSU-3303S' });
    // The meter is the runner's own simulator, with its noise (±10 mV on 3V3).
    expect(measured(rec, 'v_3v3')).toMatchObject({ value: expect.closeTo(3.3, 1), outcome: 'PASS' });
    expect(measured(rec, 'v_5v0')).toMatchObject({ value: expect.closeTo(5, 1), outcome: 'PASS' });
    expect(rec.outcome).toBe('PASS');
  });

  test('only the meter on TCP (sim-cli --dmm tcp:0): it reads the board as powered by the supply in the station, and the demo passes', async () => {
    const sim = await simCli('--dmm', 'tcp:0');
    await sim.line('meter only: the board counts as powered by the supply in the station (power off / power on to switch it here)');
    const rec = await demoRun({ dmm: sim.addresses.dmm! });
    expect(rec.instruments?.find((i) => i.name === 'dmm')).toMatchObject({ address: sim.addresses.dmm, model: 'DMM-6500S' });
    expect(measured(rec, 'v_3v3')).toMatchObject({ value: 3.3, outcome: 'PASS' });
    expect(rec.outcome).toBe('PASS');
  });

  test('both moved together still works as before', async () => {
    const sim = await simCli('--psu', `pty:${join(scratch(), 'psu')}`, '--dmm', 'tcp:0');
    expect(sim.lines.some((l) => l.startsWith('meter only'))).toBe(false);
    const rec = await demoRun({ psu: sim.addresses.psu!, dmm: sim.addresses.dmm! });
    expect(measured(rec, 'v_3v3')).toMatchObject({ value: 3.3, outcome: 'PASS' });
    expect(rec.outcome).toBe('PASS');
  });
});

describe('the bench follows a moved supply', () => {
  async function pair(benchFollows: boolean): Promise<{ psu: PowerSupply; dmm: Dmm; remote: SimBench }> {
    const remote = new SimBench();
    const dir = scratch();
    const server = await servePty(new SimDevice('psu', remote), new PtyPair(join(dir, 'psu'), join(dir, 'psu-sim')));
    cleanups.push(() => server.close());
    const local = new SimBench();
    local.noise = 0;
    const opened: OpenedInstrument[] = [
      connectInstrument('psu', `${server.address}&driver=psu`, { bench: local, benchFollows }),
      connectInstrument('dmm', 'sim:dmm?latency=0', { bench: local }),
    ];
    cleanups.push(async () => {
      for (const o of opened) await o.instrument.close();
    });
    return { psu: opened[0]!.instrument as PowerSupply, dmm: opened[1]!.instrument as Dmm, remote };
  }

  test('what the station sends the supply on the wire switches the in-process board: 12 V on → 3.3 V, off → 0 V', async () => {
    const { psu, dmm, remote } = await pair(true);
    await psu.setVoltage(12);
    await psu.output(true);
    expect(await psu.isOutputOn()).toBe(true);
    expect(remote.psuOutput).toBe(true);
    expect(await dmm.measureDcVoltage(1)).toBe(3.3);
    await psu.output(false);
    expect(await dmm.measureDcVoltage(1)).toBe(0);
  });

  test('without it (as before), the in-process meter reads 0 V whatever the moved supply does', async () => {
    const { psu, dmm } = await pair(false);
    await psu.setVoltage(12);
    await psu.output(true);
    expect(await dmm.measureDcVoltage(1)).toBe(0);
  });

  test.each([
    ['the supply moved, the meter in process', { psu: 'serial:/dev/ttyUSB0?driver=psu', dmm: 'sim:dmm' }, ['psu']],
    ['a TCP supply and a replayed one', { a: 'tcp://10.0.0.5:5025?driver=psu', b: 'replay:/r/psu.jsonl?driver=psu', dmm: 'sim:dmm' }, ['a', 'b']],
    ['both in process', { psu: 'sim:psu', dmm: 'sim:dmm' }, []],
    ['the meter moved too', { psu: 'serial:/dev/ttyUSB0?driver=psu', dmm: 'tcp://10.0.0.6:5025?driver=dmm' }, []],
    ['not a supply (driver=scpi)', { gen: 'tcp://10.0.0.7:5025', dmm: 'sim:dmm' }, []],
  ])('suppliesFollowed: %s', (_what, addresses, names) => {
    expect([...suppliesFollowed(addresses)]).toEqual(names);
  });
});

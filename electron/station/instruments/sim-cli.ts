/**
 * Simulated bench instruments on real wires, for trying a station without hardware:
 *
 *   node electron/station/instruments/sim-cli.ts --psu pty:/tmp/passline-psu --dmm tcp:5025
 *
 * `pty:<path>` makes a socat pty pair (the station opens `serial:<path>`), `tcp:<port>`
 * listens on 127.0.0.1. It prints each instrument's address for the station's
 * settings, then reads commands on stdin to change values and inject faults:
 *
 *   psu fault no-reply | garbage | slow 800 | split 2 | disconnect | none
 *   dmm unplug | dmm plug          pull and reconnect the cable
 *   rail 1 3.05 | load 0.2 | noise 0 | fail ^DEMO-FAIL | unit DEMO-FAIL-1
 *   power on | power off            (meter only: the board's supply is elsewhere)
 *
 * Either instrument may be moved alone. A supply moved here while the meter stays in the
 * station (`sim:dmm`) powers the station's simulated board: the station's bench follows
 * the commands it sends this supply. A meter served here without the supply reads the
 * board as powered by a supply it cannot see (`power off` cuts it).
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { PtyPair, servePty, serveTcp, type SimServer } from './sim-server.ts';
import { SimBench, SimDevice, type SimFault } from './sim.ts';

const USAGE = 'usage: sim-cli.ts [--psu pty:<path>|tcp:<port>] [--dmm pty:<path>|tcp:<port>] [--latency <ms>] [--noise <factor>]';

const { values } = parseArgs({
  options: {
    psu: { type: 'string' },
    dmm: { type: 'string' },
    latency: { type: 'string', default: '0' },
    noise: { type: 'string', default: '1' },
    help: { type: 'boolean' },
  },
});
if (values.help || (!values.psu && !values.dmm)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const bench = new SimBench();
bench.noise = Number(values.noise);
const servers = new Map<string, SimServer>();

async function serve(kind: 'psu' | 'dmm', where: string): Promise<void> {
  const device = new SimDevice(kind, bench, { latencyMs: Number(values.latency) });
  let server: SimServer;
  if (where.startsWith('pty:')) server = await servePty(device, new PtyPair(where.slice(4), `${where.slice(4)}-sim`));
  else if (where.startsWith('tcp:')) server = await serveTcp(device, Number(where.slice(4)));
  else throw new Error(`--${kind} ${where}: use pty:<path> or tcp:<port>`);
  servers.set(kind, server);
  console.log(`${kind}: ${server.address}${server.address.includes('?') ? '&' : '?'}driver=${kind}`);
}

if (values.psu) await serve('psu', values.psu);
if (values.dmm) await serve('dmm', values.dmm);
if (values.dmm && !values.psu) {
  bench.externalPower = 'on';
  console.log('meter only: the board counts as powered by the supply in the station (power off / power on to switch it here)');
}

function fault(words: string[]): SimFault {
  const [kind, arg] = words;
  switch (kind) {
    case 'none':
    case 'no-reply':
    case 'garbage':
    case 'disconnect':
      return { kind };
    case 'slow':
      return { kind, ms: Number(arg ?? 1000) };
    case 'split':
      return { kind, gapMs: Number(arg ?? 1) };
    default:
      throw new Error(`fault ${kind ?? ''}: one of none, no-reply, garbage, slow <ms>, split <ms>, disconnect`);
  }
}

async function command(line: string): Promise<string> {
  const [first, second, ...rest] = line.trim().split(/\s+/);
  const server = first ? servers.get(first) : undefined;
  if (server) {
    if (second === 'fault') server.device.fault = fault(rest);
    else if (second === 'unplug') await server.unplug();
    else if (second === 'plug') await server.plug();
    else throw new Error(`${first}: fault …, unplug or plug`);
    return `${first}: ${second} ${rest.join(' ')}`.trim();
  }
  switch (first) {
    case 'rail':
      bench.rails[Number(second)] = Number(rest[0]);
      return `rail ${second} = ${rest[0]} V`;
    case 'load':
      bench.loadAmps = Number(second);
      return `load = ${second} A`;
    case 'noise':
      bench.noise = Number(second);
      return `noise × ${second}`;
    case 'fail':
      bench.failPattern = second ? new RegExp(second) : null;
      return `failing serials: ${second ?? 'none'}`;
    case 'unit':
      bench.unitSerial = second ?? '';
      return `unit in the fixture: ${bench.unitSerial}`;
    case 'power':
      if (second !== 'on' && second !== 'off') throw new Error('power on | power off');
      if (servers.has('psu')) throw new Error('power: the supply served here powers the board; switch its output from the station');
      bench.externalPower = second;
      return `board power ${second}`;
    case 'state':
      return JSON.stringify({ output: bench.psuOutput, volts: bench.psuVoltage, limit: bench.psuCurrentLimit });
    default:
      throw new Error(`unknown command "${line.trim()}"`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  command(line).then(
    (r) => console.log(r),
    (e: unknown) => console.error((e as Error).message),
  );
});

const stop = async () => {
  rl.close();
  for (const s of servers.values()) await s.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

/**
 * Reply framing and address parsing, pure: replies are fed split at every byte
 * (and every pair of split points), as a serial port may hand them over.
 */
import { describe, expect, test } from 'vitest';
import { ReplyReader, takeBlock } from '#station/instruments/framing.ts';
import { parseIdn } from '#station/instruments/scpi.ts';
import { floatBlock } from '#station/instruments/sim.ts';
import { parseAddress } from '#contract/instruments.ts';
import { checkGs1, gs1CheckDigit, routeScan, unitFieldsFrom } from '#contract/scans.ts';

/** Feeds `bytes` in the given chunks and collects what the reads return, in order. */
async function readAll(chunks: Buffer[], reads: ('line' | 'block')[], term = '\n'): Promise<(string | number[])[]> {
  const r = new ReplyReader();
  const out: (string | number[])[] = [];
  let i = 0;
  for (const kind of reads) {
    const p = kind === 'line' ? r.readLine(term) : r.readBlock(term);
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    while (!settled && i < chunks.length) {
      r.push(chunks[i++]!);
      await Promise.resolve();
    }
    const v = await p;
    out.push(typeof v === 'string' ? v : [...v]);
  }
  return out;
}

function splits(b: Buffer, at: number[]): Buffer[] {
  const cuts = [0, ...at, b.length];
  return cuts
    .slice(1)
    .map((c, i) => b.subarray(cuts[i], c))
    .filter((c) => c.length > 0);
}

describe('line framing', () => {
  const stream = Buffer.from('Passline Sim,PSU-3303S,SIM0002,1.0.0\n3.30012\r\n1\n', 'latin1');
  const expected = ['Passline Sim,PSU-3303S,SIM0002,1.0.0', '3.30012', '1'];

  test('replies split at every byte give the same lines', async () => {
    for (let a = 1; a < stream.length; a++) expect(await readAll(splits(stream, [a]), ['line', 'line', 'line'])).toEqual(expected);
  });

  test('replies split at every pair of points give the same lines', async () => {
    for (let a = 1; a < stream.length; a += 3)
      for (let b = a + 1; b < stream.length; b++) expect(await readAll(splits(stream, [a, b]), ['line', 'line', 'line'])).toEqual(expected);
  });

  test('one byte at a time', async () => {
    expect(
      await readAll(
        [...stream].map((x) => Buffer.from([x])),
        ['line', 'line', 'line'],
      ),
    ).toEqual(expected);
  });

  test('a CR terminator', async () => {
    expect(await readAll([Buffer.from('A\rB\r')], ['line', 'line'], '\r')).toEqual(['A', 'B']);
  });

  test('a second reader while one waits is refused', async () => {
    const r = new ReplyReader();
    const first = r.readLine('\n');
    await expect(r.readLine('\n')).rejects.toThrow('one command in flight');
    r.push(Buffer.from('ok\n'));
    expect(await first).toBe('ok');
  });

  test('clear() forgets bytes nobody asked for', async () => {
    const r = new ReplyReader();
    r.push(Buffer.from('stale\n'));
    r.clear();
    const p = r.readLine('\n');
    r.push(Buffer.from('fresh\n'));
    expect(await p).toBe('fresh');
  });
});

describe('IEEE 488.2 definite-length blocks', () => {
  const values = [0, 1.5, -2.25, 1e6, 3.3];
  const block = floatBlock(values);
  const stream = Buffer.concat([block, Buffer.from('\n0.5\n')]);
  const expectedBytes = [...block.subarray(2 + String(values.length * 4).length)];

  test('a block split at every byte, then the line after it', async () => {
    for (let a = 1; a < stream.length; a++) expect(await readAll(splits(stream, [a]), ['block', 'line'])).toEqual([expectedBytes, '0.5']);
  });

  test('a block containing terminator bytes is not cut at them', async () => {
    const body = Buffer.from([0x0a, 0x0d, 0x0a, 0x23, 0x0a]);
    const b = Buffer.concat([Buffer.from('#15'), body, Buffer.from('\n')]);
    expect(await readAll([b], ['block'])).toEqual([[...body]]);
  });

  test('header forms: #0 runs to the terminator; a bad header names what was wrong', () => {
    expect(takeBlock(Buffer.from('#0abc\n'), '\n')?.block.toString()).toBe('abc');
    expect(takeBlock(Buffer.from('#312'), '\n')).toBeNull();
    expect(() => takeBlock(Buffer.from('#x'), '\n')).toThrow('malformed binary block header: "#x" (a digit must follow #)');
    expect(() => takeBlock(Buffer.from('#2ab'), '\n')).toThrow('length "ab" is not a number');
    expect(() => takeBlock(Buffer.from('-113,"Undefined header"\n'), '\n')).toThrow(
      'expected a binary block (#<n><length><bytes>), got "-113,\\"Undefined header\\"\\n"',
    );
  });

  test('a malformed block fails the read and leaves the reader clean', async () => {
    const r = new ReplyReader();
    const p = r.readBlock('\n');
    r.push(Buffer.from('#x123\n'));
    await expect(p).rejects.toThrow('malformed');
    const next = r.readLine('\n');
    r.push(Buffer.from('1\n'));
    expect(await next).toBe('1');
  });
});

test('*IDN? parsing', () => {
  expect(parseIdn('Keysight Technologies,34461A,MY12345678,A.02.14-02.40-02.14-00.49-01-01\n')).toEqual({
    maker: 'Keysight Technologies',
    model: '34461A',
    serial: 'MY12345678',
    firmware: 'A.02.14-02.40-02.14-00.49-01-01',
  });
  expect(parseIdn('RIGOL TECHNOLOGIES,DP832,DP8C1234,00.01.14,rev B')).toMatchObject({ serial: 'DP8C1234', firmware: '00.01.14,rev B' });
  expect(parseIdn('odd')).toEqual({ maker: 'odd', model: '', serial: '', firmware: '' });
});

describe('instrument addresses', () => {
  test('serial with every option', () => {
    expect(parseAddress('serial:/dev/ttyUSB0?baud=115200&parity=even&dataBits=7&stopBits=2&flow=rtscts&term=crlf&driver=psu')).toMatchObject({
      scheme: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 115200,
      parity: 'even',
      dataBits: 7,
      stopBits: 2,
      flow: 'rtscts',
      readTerm: '\r\n',
      writeTerm: '\r\n',
      driver: 'psu',
      trace: 'failed',
    });
    expect(parseAddress('serial:/dev/ttyUSB0')).toMatchObject({
      baudRate: 9600,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      flow: 'none',
      readTerm: '\n',
      driver: 'scpi',
    });
  });

  test('tcp, usbtmc, sim, replay', () => {
    expect(parseAddress('tcp://10.0.0.5:5025')).toMatchObject({ scheme: 'tcp', host: '10.0.0.5', port: 5025 });
    expect(parseAddress('tcp://[::1]:5025')).toMatchObject({ host: '::1' });
    expect(parseAddress('usbtmc:/dev/usbtmc0?timeout=5000')).toMatchObject({ scheme: 'usbtmc', path: '/dev/usbtmc0', timeoutMs: 5000 });
    expect(parseAddress('sim:psu?latency=5')).toMatchObject({ scheme: 'sim', device: 'psu', driver: 'psu', latencyMs: 5 });
    expect(parseAddress('replay:/tmp/x.jsonl?driver=dmm')).toMatchObject({ scheme: 'replay', file: '/tmp/x.jsonl', driver: 'dmm', timing: 'instant' });
  });

  test('every problem names the parameter and what it accepts', () => {
    const bad = (a: string) => {
      try {
        parseAddress(a);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad('serial:/dev/ttyUSB0?baud=fast')).toBe('"serial:/dev/ttyUSB0?baud=fast": baud=fast: must be a whole number from 50 to 4000000');
    expect(bad('serial:/dev/ttyUSB0?parity=wrong')).toBe('"serial:/dev/ttyUSB0?parity=wrong": parity=wrong: must be one of none, even, odd, mark, space');
    expect(bad('serial:/dev/ttyUSB0?bauds=9600')).toMatch(
      /unknown parameter "bauds" for serial: \(allowed: driver, trace, .* baud, dataBits, parity, stopBits, flow\)/,
    );
    expect(bad('tcp://host')).toBe('"tcp://host": a TCP address is tcp://host:port (raw SCPI is usually port 5025)');
    expect(bad('gpib:1')).toMatch(/unknown transport "gpib:"/);
    expect(bad('sim:scope')).toBe('"sim:scope": unknown simulator "scope" (known: dmm, psu)');
    expect(bad('sim:dmm?fail=(')).toBe('"sim:dmm?fail=(": fail=(: is not a regular expression');
    expect(bad('serial:/dev/ttyUSB0?term=none')).toBe('"serial:/dev/ttyUSB0?term=none": term=none: replies need a terminator to be framed (lf, crlf or cr)');
    expect(bad('ttyUSB0')).toMatch(/is not an instrument address/);
  });
});

describe('scan routing and check digits', () => {
  const routes = { badgePattern: '^OP-(?<id>[0-9]+)$', fixturePattern: '^FX-[A-Z0-9-]+$' };

  test('a badge (its id group), a fixture label, anything else a unit serial', () => {
    expect(routeScan('OP-0042', routes)).toEqual({ route: 'badge', id: '0042' });
    expect(routeScan(' FX-A7 ', routes)).toEqual({ route: 'fixture', id: 'FX-A7' });
    expect(routeScan('DEMO-0001', routes)).toEqual({ route: 'serial', id: 'DEMO-0001' });
    expect(routeScan('   ', routes)).toEqual({ route: 'unknown', id: '' });
  });

  test('GS1 mod 10 on real GTINs and SSCCs', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1); // GTIN-13 4006381333931
    expect(gs1CheckDigit('0001234560001')).toBe(2); // GTIN-14 00012345600012
    expect(gs1CheckDigit('00614141123456789')).toBe(0); // SSCC 006141411234567890
    expect(checkGs1('4006381333931')).toBeNull();
    expect(checkGs1('4006381333932')).toBe('check digit 2 is wrong (GS1 mod 10 gives 1): the label was misread or mistyped');
    expect(checkGs1('12A4')).toBe('"12A4" must be digits ending in a GS1 check digit');
  });

  test('named groups of a serial pattern fill the unit record', () => {
    const pattern = '^(?<partNumber>P\\d{2})(?<revision>[A-Z])-(?<dateCode>\\d{4})-(?<batch>B\\d+)?-?\\d+$';
    expect(unitFieldsFrom(pattern, 'P01C-2612-B7-0042')).toEqual({ partNumber: 'P01', revision: 'C', dateCode: '2612', batch: 'B7' });
    expect(unitFieldsFrom(pattern, 'P01C-2612-0042')).toEqual({ partNumber: 'P01', revision: 'C', dateCode: '2612' });
    expect(unitFieldsFrom(pattern, 'nothing')).toEqual({});
  });
});

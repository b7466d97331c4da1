/**
 * docs/sequences.md's channel map of the simulated meter is the simulator's: every rail the
 * bench has is listed with its voltage, nothing else is, and a channel off the map is
 * refused (no reply, -222 queued), never read as 0 V.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SimBench, dmmResponder, psuResponder } from '#station/instruments/sim.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const doc = readFileSync(join(REPO_ROOT, 'docs/sequences.md'), 'utf8');

test('the documented DMM channels are the rails the simulated bench has, with their voltages', () => {
  const listed = Object.fromEntries([...doc.matchAll(/^\| `(\d+)`\s*\| the ([\d.]+) V rail/gm)].map((m) => [Number(m[1]), Number(m[2])]));
  expect(listed).toEqual(new SimBench().rails);
  expect(doc).toMatch(/^\| any other\s*\| nothing: refused as a meter refuses a channel it does not have\./m);
});

test('a channel off the map is refused with the words the docs give; a mapped one reads its rail once the supply is on at 12 V', () => {
  const bench = new SimBench();
  bench.noise = 0;
  const errors: string[] = [];
  const dmm = dmmResponder(bench, errors);
  const psu = psuResponder(bench);
  expect(dmm('MEAS:VOLT:DC? (@1)')).toBe('0.00000');
  for (const cmd of ['VOLT 12', 'OUTP ON']) psu(cmd);
  expect(dmm('MEAS:VOLT:DC? (@1)')).toBe('3.30000');
  expect(dmm('MEAS:VOLT:DC? (@2)')).toBe('5.00000');
  expect(dmm('MEAS:VOLT:DC? (@7)')).toBeNull();
  expect(errors).toEqual(['-222,"Data out of range;channel 7 is not simulated (channels 1, 2)"']);
  expect(doc).toContain('`-222,"Data out of range;channel 7 is not simulated (channels 1, 2)"`');
});

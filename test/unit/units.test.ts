/**
 * The units a measurement may declare (contract/units.ts): what a bench uses is taken, a typo is
 * refused with the unit named.
 */
import { describe, expect, test } from 'vitest';
import { unitProblem } from '#contract/units.ts';

describe('units', () => {
  test.each([
    'V',
    'mV',
    'µA',
    'uA',
    'kΩ',
    'ohm',
    'MHz',
    'ms',
    's',
    '°C',
    '%',
    'ppm',
    'dBm',
    'dB',
    'A/√Hz',
    'nV/√Hz',
    'ppm/°C',
    'm/s^2',
    'N·m',
    'counts',
    'LSB',
    'kg',
    'hPa',
  ])('%s is a unit', (u) => expect(unitProblem(u)).toBeNull());

  test.each(['Volts', 'mv', 'degC', 'V ', 'kk', 'mV/', 'xyz', 'MdB'])('%s is refused, naming it', (u) => {
    const problem = unitProblem(u);
    expect(problem).not.toBeNull();
    if (u.trim() === u) expect(problem).toContain(`"${u}"`);
  });

  test('an empty unit asks for a symbol', () => {
    expect(unitProblem('')).toMatch(/a unit symbol such as V/);
  });
});

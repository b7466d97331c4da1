/**
 * The statistics settings: a settings file from before them loads with their defaults, and each
 * bad value is refused with its path and what is wrong, as the Settings screen shows it.
 */
import { expect, test } from 'vitest';
import { SettingsSchema } from '#contract/settings.ts';
import { formatZodError } from '#contract/errors.ts';

test('a settings file without them takes the defaults', () => {
  const s = SettingsSchema.parse({ stationId: 'line-4' });
  expect(s.shifts).toEqual([
    { name: 'A', start: '06:00' },
    { name: 'B', start: '14:00' },
    { name: 'C', start: '22:00' },
  ]);
  expect([s.referenceSerialPattern, s.spcRules, s.yieldAlert]).toEqual(['', [1, 2, 3, 4], { minFirstPassYield: null, window: 50 }]);
});

test('good values are kept (rules sorted, once each)', () => {
  const s = SettingsSchema.parse({ shifts: [{ name: 'Day', start: '07:30' }], referenceSerialPattern: '^GOLD-\\d+$', spcRules: [5, 1, 5], yieldAlert: { minFirstPassYield: 0.92 } });
  expect([s.shifts, s.spcRules, s.yieldAlert]).toEqual([[{ name: 'Day', start: '07:30' }], [1, 5], { minFirstPassYield: 0.92, window: 50 }]);
});

test.each([
  [{ shifts: [{ name: 'A', start: '6:00' }] }, 'shifts.0.start: a start time is HH:MM, 24-hour local time (06:00)'],
  [{ shifts: [{ name: 'A', start: '06:00' }, { name: 'B', start: '06:00' }] }, 'shifts.1.start: two shifts start at 06:00'],
  [{ shifts: [{ name: '', start: '06:00' }] }, 'shifts.0.name: a shift needs a name'],
  [{ referenceSerialPattern: '^GOLD-(' }, 'referenceSerialPattern: not a regular expression'],
  [{ spcRules: [1, 9] }, 'spcRules.1: a rule is a number 1 to 8 (Nelson)'],
  [{ yieldAlert: { minFirstPassYield: 92 } }, 'yieldAlert.minFirstPassYield: a yield is 0..1 (0.9 for 90 %)'],
  [{ yieldAlert: { window: 2 } }, 'yieldAlert.window:'],
])('%j is refused: %s', (bad, message) => {
  const r = SettingsSchema.safeParse(bad);
  expect(r.success).toBe(false);
  expect(formatZodError(r.error!)).toContain(message);
});

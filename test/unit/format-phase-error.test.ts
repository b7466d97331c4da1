/** A phase's error as plain-text views (`passline run`, logs) and the screens word it. */
import { describe, expect, test } from 'vitest';
import { describePhaseError, phaseErrorLabel } from '#contract/format.ts';

describe('describePhaseError', () => {
  test('puts where in the procedure code after the message', () => {
    expect(describePhaseError({ message: 'relay K3 did not close', source: 'phases.ts:6' })).toBe('relay K3 did not close (at phases.ts:6)');
  });
  test('is the message alone when no line is known (a timeout, a thrown string)', () => {
    expect(describePhaseError({ message: 'phase timed out after 500 ms' })).toBe('phase timed out after 500 ms');
  });
});

test.each([
  ['timeout', 'Timed out'],
  ['aborted', 'Aborted'],
  ['undeclared-measurement', 'Not declared'],
  ['exception', 'Error'],
  ['runner-crashed', 'Error'],
] as const)('phaseErrorLabel(%s) is "%s"', (kind, label) => {
  expect(phaseErrorLabel(kind)).toBe(label);
});

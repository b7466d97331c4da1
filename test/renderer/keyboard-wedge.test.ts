// @vitest-environment node
/**
 * The keyboard-wedge detector: a burst of keys ending in Enter is a scan; a person
 * typing the same characters is not. Key times are those of real devices: a wedge
 * scanner sends a key every 2–15 ms, a fast typist every 60–200 ms.
 */
import { describe, expect, test } from 'vitest';
import { KeyboardWedge, type WedgeResult } from '../../renderer/src/scanning/keyboard-wedge.ts';

/** Feeds `text` + Enter with the given gaps; returns the non-pending results and the flushes between keys. */
function feed(w: KeyboardWedge, text: string, gaps: (i: number) => number, t0 = 1000): (WedgeResult | { kind: 'flush'; text: string })[] {
  const out: (WedgeResult | { kind: 'flush'; text: string })[] = [];
  let t = t0;
  for (const [i, key] of [...text, 'Enter'].entries()) {
    const next = t + (i === 0 ? 0 : gaps(i));
    // The UI flushes on a timer whenever nothing came for longer than the gap.
    const flushed = w.flush(next - 0.001);
    if (flushed) out.push({ kind: 'flush', text: flushed });
    t = next;
    const r = w.key(key, t);
    if (r.kind !== 'pending') out.push(r);
  }
  return out;
}

describe('keyboard-wedge detector', () => {
  test('a burst ending in Enter is a scan', () => {
    expect(feed(new KeyboardWedge(), 'DEMO-0001', () => 8)).toEqual([{ kind: 'scan', text: 'DEMO-0001' }]);
  });

  test('a scanner with uneven timing (2-30 ms) is still a scan', () => {
    const gaps = [2, 30, 4, 12, 28, 3, 9, 30, 15, 6];
    expect(feed(new KeyboardWedge(), 'OP-1234567', (i) => gaps[i % gaps.length]!)).toEqual([{ kind: 'scan', text: 'OP-1234567' }]);
  });

  test('ordinary typing is not a scan: the keys come back as typing, then the Enter', () => {
    const out = feed(new KeyboardWedge(), 'DEMO-0001', (i) => 90 + (i % 3) * 40);
    expect(out.every((r) => r.kind !== 'scan')).toBe(true);
    expect(out.map((r) => ('text' in r ? r.text : '')).join('')).toBe('DEMO-0001');
    expect(out.at(-1)).toEqual({ kind: 'typing', text: '', enter: true });
  });

  test("two quick keys then Enter (a short code, or a fast typist's roll) is typing", () => {
    expect(feed(new KeyboardWedge(), 'ab', () => 10)).toEqual([{ kind: 'typing', text: 'ab', enter: true }]);
  });

  test('a person types, pauses, and then a scan arrives: the typing is kept apart from the scan', () => {
    const w = new KeyboardWedge();
    const typed = feed(w, 'xy', () => 150).filter((r) => r.kind !== 'typing' || r.text !== '');
    expect(typed.map((r) => ('text' in r ? r.text : '')).join('')).toBe('xy');
    expect(feed(w, 'FX-0042', () => 5, 5000)).toEqual([{ kind: 'scan', text: 'FX-0042' }]);
  });

  test('a slow Enter after a burst (someone typed the code fast, then thought) is typing', () => {
    const w = new KeyboardWedge();
    for (const [i, k] of [...'DEMO'].entries()) w.key(k, i * 5);
    expect(w.flush(200)).toBe('DEMO');
    expect(w.key('Enter', 400)).toEqual({ kind: 'typing', text: '', enter: true });
  });

  test('Shift and other non-character keys inside a burst are ignored', () => {
    const w = new KeyboardWedge();
    const keys = ['Shift', 'D', 'Shift', 'E', 'M', 'O', '-', '1'];
    keys.forEach((k, i) => expect(w.key(k, i * 3).kind).toBe(k === 'Shift' && i === 0 ? 'typing' : 'pending'));
    expect(w.key('Enter', keys.length * 3)).toEqual({ kind: 'scan', text: 'DEMO-1' });
  });

  test('a scanner with a Tab suffix: Tab ends the scan like Enter', () => {
    const w = new KeyboardWedge();
    [...'DEMO-0001'].forEach((k, i) => expect(w.key(k, i * 4).kind).toBe('pending'));
    expect(w.key('Tab', 36)).toEqual({ kind: 'scan', text: 'DEMO-0001' });
    expect(w.pending).toBe('');
  });

  test('a Tab after typing is typing (focus moves on), not a scan', () => {
    const w = new KeyboardWedge();
    w.key('x', 0);
    expect(w.key('Tab', 300)).toEqual({ kind: 'typing', text: 'x', enter: false });
  });

  test('two labels 30 ms apart, each with its suffix, are two scans: never one glued code', () => {
    const w = new KeyboardWedge();
    const out: WedgeResult[] = [];
    let t = 0;
    for (const [label, end] of [
      ['DEMO-0101', 'Enter'],
      ['DEMO-0102', 'Tab'],
    ] as const) {
      for (const k of [...label, end]) {
        const r = w.key(k, t);
        if (r.kind !== 'pending') out.push(r);
        t += 4;
      }
      t += 26;
    }
    expect(out).toEqual([
      { kind: 'scan', text: 'DEMO-0101' },
      { kind: 'scan', text: 'DEMO-0102' },
    ]);
  });
});

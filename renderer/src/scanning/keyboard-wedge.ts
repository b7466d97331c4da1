/**
 * Keyboard-wedge scanner detection. A wedge scanner "types" a code and Enter in a
 * burst (a few ms per key); a person types far slower. Fed keys with their times,
 * the detector says which keys were a scan and which were ordinary typing. Enter or
 * Tab (the scanner's suffix) ends a scan: the next key starts a new one, so two labels
 * scanned in quick succession are two scans. Pure: no DOM, no clock of its own.
 */

export interface WedgeOptions {
  /** Longest gap between keys of one scan (scanners: 1–20 ms; people: 80 ms and more). */
  maxGapMs: number;
  /** Shortest code taken as a scan (Enter after one or two quick keys is typing). */
  minLength: number;
}

export const DEFAULT_WEDGE: WedgeOptions = { maxGapMs: 35, minLength: 4 };

export type WedgeResult =
  /** Keys held back: maybe the start of a scan. */
  | { kind: 'pending' }
  /** These keys were typed by a person: hand them to the field. `enter`: an Enter came after them (a Tab: false). */
  | { kind: 'typing'; text: string; enter: boolean }
  | { kind: 'scan'; text: string };

export class KeyboardWedge {
  private readonly opts: WedgeOptions;
  private buf = '';
  private last = -Infinity;

  constructor(opts: Partial<WedgeOptions> = {}) {
    this.opts = { ...DEFAULT_WEDGE, ...opts };
  }

  /** Keys held back so far. */
  get pending(): string {
    return this.buf;
  }

  /**
   * One key (KeyboardEvent.key) at time `t` (ms). Printable keys, Enter and Tab count;
   * anything else (Shift, arrows) is not part of a code and is ignored.
   */
  key(key: string, t: number): WedgeResult {
    const quick = t - this.last <= this.opts.maxGapMs;
    if (isScanEnd(key)) {
      const text = this.buf;
      this.reset();
      if (quick && text.length >= this.opts.minLength) return { kind: 'scan', text };
      return { kind: 'typing', text, enter: key === 'Enter' };
    }
    if (key.length !== 1) return this.buf ? { kind: 'pending' } : { kind: 'typing', text: '', enter: false };
    if (this.buf && !quick) {
      // A pause: what came before was typing; this key may start a scan.
      const text = this.buf;
      this.buf = key;
      this.last = t;
      return { kind: 'typing', text, enter: false };
    }
    this.buf += key;
    this.last = t;
    return { kind: 'pending' };
  }

  /**
   * Called when no key came for a while: keys held longer than the scan gap were
   * typed by a person. Returns them (empty when nothing is held or it is too soon).
   */
  flush(t: number): string {
    if (!this.buf || t - this.last <= this.opts.maxGapMs) return '';
    const text = this.buf;
    this.reset();
    return text;
  }

  reset(): void {
    this.buf = '';
    this.last = -Infinity;
  }
}

/** The keys a scanner sends after a code (its suffix): Enter (CR, LF) or Tab. */
export function isScanEnd(key: string): boolean {
  return key === 'Enter' || key === 'Tab';
}

import { useEffect, useEffectEvent, useState } from 'react';
import { routeScan, type ScanRoute, type ScanRoutes } from '#contract/scans.ts';
import { useStationClient } from '../api/station-context.tsx';
import { hasModifier, isTextEntry } from '../components/dom.ts';
import { DEFAULT_WEDGE, KeyboardWedge } from './keyboard-wedge.ts';

export interface ScanOutcome {
  text: string;
  ok: boolean;
  route: ScanRoute;
  message: string;
}

export interface WedgeScanState {
  operatorId: string | null;
  /** The last badge or fixture scan (unit serials show in their socket's serial field). */
  last: ScanOutcome | null;
}

/** Until the station says otherwise: the defaults of settings.scanRoutes. */
const DEFAULT_ROUTES: ScanRoutes = { badgePattern: '^OP-[A-Z0-9]+$', fixturePattern: '^FX-[A-Z0-9-]+$' };

/** Sets an input's value the way typing does, so React's onChange sees it. */
function insertText(field: HTMLInputElement, text: string): void {
  if (!text) return;
  field.focus();
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  const next = field.value.slice(0, start) + text + field.value.slice(end);
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(field, next);
  field.setSelectionRange(start + text.length, start + text.length);
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The serial field keys belong to: the focused one, or the waiting one when focus takes no text. */
function fieldFor(active: Element | null): HTMLInputElement | null {
  if (active instanceof HTMLInputElement && active.matches('[data-serial-input]')) return active.disabled ? null : active;
  // Another text field (a prompt's answer, a search box) keeps its keys.
  if (isTextEntry(active) || active?.matches('select')) return null;
  const inPanel = active?.closest('[data-socket-panel]');
  return (inPanel ?? document).querySelector<HTMLInputElement>('[data-serial-input]:not(:disabled)');
}

/** Socket of a serial field: panels are rendered in socket order. */
function socketOf(field: HTMLInputElement, sockets: readonly number[]): number {
  const at = [...document.querySelectorAll('[data-socket-panel]')].findIndex((p) => p.contains(field));
  return sockets[at] ?? sockets[0] ?? 0;
}

/**
 * Keyboard-wedge scanning on the operator screen. While a serial field waits for a
 * unit and focus is on it or on nothing that takes text, keys are held for a few
 * milliseconds: a burst ending in Enter is a scan; anything slower is typing and
 * goes into the field as typed. A scan is routed by the station's patterns: a badge
 * logs the operator in, a fixture label sets the socket's fixture, anything else is
 * a unit serial and goes through the serial field (its refusals show there).
 */
export function useWedgeScanner(sockets: readonly number[], promptOpen: boolean): WedgeScanState {
  const client = useStationClient();
  const [operatorId, setOperatorId] = useState<string | null>(null);
  const [routes, setRoutes] = useState<ScanRoutes>(DEFAULT_ROUTES);
  const [last, setLast] = useState<ScanOutcome | null>(null);

  useEffect(() => {
    void client.invoke('station.snapshot', {}).then((r) => {
      if (!r.ok) return;
      setOperatorId(r.value.operatorId ?? null);
      if (r.value.scanRoutes) setRoutes(r.value.scanRoutes);
    });
  }, [client]);

  // An open question's letter shortcuts (Y/N, 1–9) win over scanning, unless the scan field has focus.
  const targetField = useEffectEvent((active: Element | null): HTMLInputElement | null =>
    promptOpen && !(active instanceof HTMLInputElement && active.matches('[data-serial-input]')) ? null : fieldFor(active),
  );

  const onScan = useEffectEvent((text: string, field: HTMLInputElement): void => {
    const { route } = routeScan(text, routes);
    if (route === 'serial') {
      // A unit: through its socket's serial field, as if typed and entered.
      insertText(field, text);
      setTimeout(() => field.form?.requestSubmit());
      return;
    }
    void client.invoke('scan.submit', { text, socket: socketOf(field, sockets), source: 'keyboard' }).then((r) => {
      if (r.ok) {
        const { id } = r.value;
        if (r.value.route === 'badge') setOperatorId(id);
        setLast({ text, ok: true, route: r.value.route, message: r.value.route === 'badge' ? `operator ${id} logged in.` : `fixture ${id}.` });
      } else setLast({ text, ok: false, route, message: r.error.message });
    });
  });

  useEffect(() => {
    const wedge = new KeyboardWedge();
    let target: HTMLInputElement | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      const text = wedge.flush(performance.now());
      if (text && target) insertText(target, text);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || hasModifier(e) || e.isComposing) return;
      if (e.key !== 'Enter' && e.key.length !== 1) return;
      const field = targetField(document.activeElement);
      if (!field) {
        wedge.reset();
        return;
      }
      clearTimeout(timer);
      if (e.repeat) {
        // A held key: ordinary typing; what was held goes in first.
        if (target) insertText(target, wedge.flush(Infinity));
        return;
      }
      target = field;
      const r = wedge.key(e.key, e.timeStamp);
      if (r.kind === 'scan') {
        e.preventDefault();
        onScan(r.text, field);
        return;
      }
      if (r.kind === 'typing') {
        insertText(field, r.text);
        if (r.enter) {
          // The held keys are in the field now; submit once React has them.
          if (r.text) {
            e.preventDefault();
            setTimeout(() => field.form?.requestSubmit());
          }
          return;
        }
      }
      // This key may start a scan: hold it for a moment.
      e.preventDefault();
      timer = setTimeout(flush, DEFAULT_WEDGE.maxGapMs + 5);
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('keydown', onKey, true);
    };
  }, []);

  return { operatorId, last };
}

import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { LiveSocket } from '#contract/live.ts';
import { routeScan, type ScanRoute, type ScanRoutes } from '#contract/scans.ts';
import { useStationClient } from '../api/station-context.tsx';
import { hasModifier, isTextEntry } from '../components/dom.ts';
import { useTranslation } from 'react-i18next';
import { refusalText } from '../i18n/errors.ts';
import type { SerialFormHandle } from '../features/operator/SerialForm.tsx';
import { DEFAULT_WEDGE, KeyboardWedge, isScanEnd } from './keyboard-wedge.ts';

export interface ScanOutcome {
  text: string;
  ok: boolean;
  route: ScanRoute;
  message: string;
}

export interface WedgeScanState {
  operatorId: string | null;
  /** The last badge or fixture scan, or the last scan refused here (unit serials show in their socket's serial field). */
  last: ScanOutcome | null;
}

/** Until the station says otherwise: the defaults of settings.scanRoutes. */
const DEFAULT_ROUTES: ScanRoutes = { badgePattern: '^OP-[A-Z0-9]+$', fixturePattern: '^FX-[A-Z0-9-]+$' };

/** For this long after a question closes, its shortcut keys typed late are dropped, not typed into a serial field. */
const PROMPT_KEY_GRACE_MS = 1500;
const PROMPT_KEY = /^[ynpf1-9]$/i;

/** Keys this hook hands to a question's shortcuts: it must not take them again. */
const handedOver = new WeakSet<Event>();

const isRunning = (s: LiveSocket): boolean => s.run !== null && s.run.outcome === undefined;
const isSerialField = (el: Element | null): el is HTMLInputElement => el instanceof HTMLInputElement && el.matches('[data-serial-input]') && !el.disabled;
/** A control that Space (or Enter) activates by itself. */
const isControl = (el: Element | null): boolean =>
  el instanceof HTMLButtonElement || el instanceof HTMLSelectElement || (el instanceof HTMLInputElement && !isTextEntry(el));
const openPrompt = (): boolean => document.querySelector('[data-prompt]') !== null;

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

/** The socket of the panel holding `el`: panels are rendered in socket order. */
function socketAt(el: Element | null, sockets: readonly LiveSocket[]): number | null {
  const panel = el?.closest('[data-socket-panel]');
  if (!panel) return null;
  return sockets[[...document.querySelectorAll('[data-socket-panel]')].indexOf(panel)]?.socket ?? null;
}

/**
 * Keyboard-wedge scanning on the operator screen. Keys are held for a few milliseconds
 * (unless focus is in another text field, such as a question's typed answer): a burst
 * ended by Enter or Tab is a scan; anything slower is a person typing, and goes to an
 * open question's shortcuts (Y/N, P/F, 1–9) or else into the serial field. So a scan
 * never answers a question and is never glued to typed text or to another scan.
 *
 * A scan is routed by the station's patterns: a badge logs the operator in and a fixture
 * label sets the socket's fixture, whatever is running; a unit serial starts on a free
 * socket (the focused one if it is free), through that socket's serial form so its
 * refusals show there. With no socket free, the scan is refused here, with the reason.
 */
export function useWedgeScanner(sockets: readonly LiveSocket[], forms: ReadonlyMap<number, SerialFormHandle>): WedgeScanState {
  const { t } = useTranslation();
  const client = useStationClient();
  const [operatorId, setOperatorId] = useState<string | null>(null);
  const [routes, setRoutes] = useState<ScanRoutes>(DEFAULT_ROUTES);
  const [last, setLast] = useState<ScanOutcome | null>(null);
  // Sockets a scan was sent to whose run the screen does not show yet: serial per socket.
  const claims = useRef(new Map<number, string>());
  const promptClosedAt = useRef(-Infinity);
  const openPrompts = sockets.filter((s) => s.prompt !== null && isRunning(s)).length;
  const prevPrompts = useRef(openPrompts);

  useEffect(() => {
    void client.invoke('station.snapshot', {}).then((r) => {
      if (!r.ok) return;
      setOperatorId(r.value.operatorId ?? null);
      if (r.value.scanRoutes) setRoutes(r.value.scanRoutes);
    });
  }, [client]);

  useEffect(() => {
    if (openPrompts < prevPrompts.current) promptClosedAt.current = performance.now();
    prevPrompts.current = openPrompts;
  }, [openPrompts]);

  // A claim ends when the socket shows the run it started.
  useEffect(() => {
    for (const s of sockets) if (claims.current.get(s.socket) === s.run?.unit.serialNumber) claims.current.delete(s.socket);
  }, [sockets]);

  const refuse = (text: string, route: ScanRoute, message: string): void => setLast({ text, ok: false, route, message });

  /** Why no socket can take a unit now. */
  const busyReason = (): string => {
    const what = sockets.map((s) => {
      const claim = claims.current.get(s.socket);
      if (claim !== undefined) return { s, text: t('scan.starting', { serial: claim }) };
      if (isRunning(s)) return { s, text: t('scan.testing', { serial: s.run!.unit.serialNumber }) };
      return { s, text: s.state === 'error' ? t('scan.cannotTest') : t('scan.notReady') };
    });
    if (what.length === 0) return t('scan.noSocket');
    if (what.length === 1) {
      const { s, text } = what[0]!;
      if (s.state === 'error' && !isRunning(s)) return t('scan.socketCannotTest', { why: s.message ?? t('scan.runnerStopped') });
      return t('scan.socketIs', { state: text });
    }
    return t('scan.allBusy', { sockets: what.map(({ s, text }) => t('scan.socketState', { socket: s.socket + 1, state: text })).join(', ') });
  };

  const onScan = useEffectEvent((text: string): void => {
    const focused = socketAt(document.activeElement, sockets);
    const { route } = routeScan(text, routes);
    if (route === 'serial') {
      // A unit: to the focused socket if it is free, else the first free one.
      const free = (s: LiveSocket): boolean => !isRunning(s) && s.state !== 'error' && !claims.current.has(s.socket) && forms.has(s.socket);
      const target = [...sockets].sort((a, b) => Number(b.socket === focused) - Number(a.socket === focused)).find(free);
      if (!target) return refuse(text, route, busyReason());
      const socket = target.socket;
      claims.current.set(socket, text);
      setLast((l) => (l && !l.ok ? null : l));
      void forms
        .get(socket)!
        .scan(text)
        .then((err) => {
          // Refused (shown at the socket's field), or started: the view shows the run soon; do not wait for it forever.
          if (err) claims.current.delete(socket);
          else setTimeout(() => claims.current.get(socket) === text && claims.current.delete(socket), 3000);
        });
      return;
    }
    void client.invoke('scan.submit', { text, socket: focused ?? sockets[0]?.socket ?? 0, source: 'keyboard' }).then((r) => {
      if (r.ok) {
        const { id } = r.value;
        if (r.value.route === 'badge') setOperatorId(id);
        setLast({ text, ok: true, route: r.value.route, message: r.value.route === 'badge' ? t('scan.loggedIn', { id }) : t('scan.fixture', { id }) });
      } else refuse(text, route, refusalText(t, r.error));
    });
  });

  /**
   * Keys a person typed: into the focused serial field; else to an open question's
   * shortcuts (never into a field while a question waits); else into a waiting serial
   * field. Returns the field they went into.
   */
  const typed = useEffectEvent((text: string): HTMLInputElement | null => {
    if (!text) return null;
    const late = PROMPT_KEY.test(text) && performance.now() - promptClosedAt.current < PROMPT_KEY_GRACE_MS;
    const active = document.activeElement;
    if (isSerialField(active)) {
      if (!late) insertText(active, text);
      return active;
    }
    if (openPrompt()) {
      // A key or two (1 then 2 on a multi-choice) is a person's; a code-long burst with no Enter/Tab is no answer.
      const keys = [...text];
      if (keys.length >= DEFAULT_WEDGE.minLength) {
        refuse(text, 'unknown', 'it came at scanner speed with no Enter or Tab after it, so it is no answer to the question.');
        return null;
      }
      for (const key of keys) {
        const ev = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
        handedOver.add(ev);
        (document.activeElement ?? document.body).dispatchEvent(ev);
      }
      return null;
    }
    if (late) return null;
    const panel = active?.closest('[data-socket-panel]');
    const field =
      (panel ?? document).querySelector<HTMLInputElement>('[data-serial-input]:not(:disabled)') ??
      document.querySelector<HTMLInputElement>('[data-serial-input]:not(:disabled)');
    if (field) insertText(field, text);
    return field;
  });

  useEffect(() => {
    const wedge = new KeyboardWedge();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => void typed(wedge.flush(performance.now()));
    const onKey = (e: KeyboardEvent): void => {
      if (handedOver.has(e) || e.defaultPrevented || hasModifier(e) || e.isComposing) return;
      const end = isScanEnd(e.key);
      if (!end && e.key.length !== 1) return;
      const active = document.activeElement;
      // Another text field (a question's typed answer, a supervisor's badge) takes its keys, scans included.
      if (isTextEntry(active) && !isSerialField(active)) {
        clearTimeout(timer);
        typed(wedge.flush(Infinity));
        return;
      }
      // Space or Enter on a focused button (or checkbox) presses it.
      if ((e.key === ' ' || e.key === 'Enter') && !wedge.pending && isControl(active)) return;
      clearTimeout(timer);
      if (e.repeat) {
        // A held key: ordinary typing; what was held goes in first.
        typed(wedge.flush(Infinity));
        return;
      }
      const r = wedge.key(e.key, e.timeStamp);
      if (r.kind === 'scan') {
        e.preventDefault();
        onScan(r.text);
        return;
      }
      if (r.kind === 'typing') {
        const field = typed(r.text);
        if (end) {
          // The held keys are in the field now; submit once React has them. A Tab moves focus as usual.
          if (r.enter && r.text && field) {
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

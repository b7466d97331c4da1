/**
 * History's first page, asked for before History renders. Opened on History in a browser, this
 * entry runs as soon as index.html arrives (before the app's code has loaded) and asks on a
 * socket of its own; inside the app, boot.ts asks through the station client the moment the
 * address changes to History. History waits for the answer (React Suspense: in the app the
 * screen the operator came from stays up meanwhile) and renders once, with its rows.
 */
import type { ClientFrame, CommandOutput, ServerFrame } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import { stationSocketUrl } from './api/ws-transport.ts';

/** Runs per page of History. */
export const HISTORY_PAGE = 50;

/** How long History waits for its first page before it shows "Loading runs…" and asks itself. */
const WAIT_MS = 1000;

type RunsPage = Result<CommandOutput<'runs.list'>>;

export interface FirstPage {
  /** Settles with the answer, or null (no answer in time, link lost): History then asks itself. */
  answer: Promise<RunsPage | null>;
  /** The answer once it is in, for History's first render. */
  arrived: RunsPage | null;
}

let firstPage: FirstPage | null = null;

if (!window.station && location.hash === '#/history') firstPage = firstPageVia(askOnOwnSocket);

/** Asks for History's first page through `ask` (the app's station client), unless a request is already out. */
export function prefetchFirstPage(ask: (input: { limit: number }) => Promise<RunsPage>): void {
  firstPage ??= firstPageVia(ask);
}

function firstPageVia(ask: (input: { limit: number }) => Promise<RunsPage | null>): FirstPage {
  const page: FirstPage = { answer: Promise.resolve(null), arrived: null };
  page.answer = new Promise<RunsPage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), WAIT_MS);
    ask({ limit: HISTORY_PAGE }).then(
      (r) => {
        clearTimeout(timer);
        page.arrived = r;
        resolve(r);
      },
      () => resolve(null),
    );
  });
  // Left before History showed it: a later visit asks again.
  window.addEventListener('hashchange', () => firstPage === page && (firstPage = null), { once: true });
  return page;
}

/** Before the app's transport exists: a socket of its own, closed once answered. */
function askOnOwnSocket(input: { limit: number }): Promise<RunsPage | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(stationSocketUrl());
    ws.onopen = () => ws.send(JSON.stringify({ type: 'invoke', id: 1, name: 'runs.list', input } satisfies ClientFrame));
    ws.onmessage = (m) => {
      // The station's own frames, taken as the app's transport takes them.
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(m.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type !== 'reply' || frame.id !== 1) return;
      resolve(frame.result as RunsPage);
      ws.close();
    };
    ws.onclose = () => resolve(null);
  });
}

/** History's unfiltered first page as asked for on the way to History, if any. */
export function peekFirstPage(): FirstPage | null {
  return firstPage;
}

/** The same, at most once: History's first list takes it. */
export function takeFirstPage(): FirstPage | null {
  const page = firstPage;
  firstPage = null;
  return page;
}

/**
 * A second, tiny entry that index.html runs as soon as it arrives, before the app's code has
 * loaded: opened on History in a browser, it asks the station for History's first page at once,
 * on a socket of its own. History takes the answer from here or, if there is none, asks itself.
 */
import type { ClientFrame, CommandOutput, ServerFrame } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import { stationSocketUrl } from './api/ws-transport.ts';

/** Runs per page of History. */
export const HISTORY_PAGE = 50;

type RunsPage = Result<CommandOutput<'runs.list'>>;

interface FirstPage {
  answer: Promise<RunsPage | null>;
  /** The answer once it is in, for History's first render. */
  arrived: RunsPage | null;
}

let firstPage: FirstPage | null = null;

if (!window.station && location.hash === '#/history') firstPage = requestFirstPage();

function requestFirstPage(): FirstPage {
  const page: FirstPage = { answer: Promise.resolve(null), arrived: null };
  page.answer = new Promise((resolve) => {
    const ws = new WebSocket(stationSocketUrl());
    ws.onopen = () => ws.send(JSON.stringify({ type: 'invoke', id: 1, name: 'runs.list', input: { limit: HISTORY_PAGE } } satisfies ClientFrame));
    ws.onmessage = (m) => {
      // The station's own frames, taken as the app's transport takes them.
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(m.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type !== 'reply' || frame.id !== 1) return;
      page.arrived = frame.result as RunsPage;
      resolve(page.arrived);
      ws.close();
    };
    ws.onclose = () => resolve(null);
  });
  // Left before History showed it: a later visit asks again.
  window.addEventListener('hashchange', () => (firstPage = null), { once: true });
  return page;
}

/** History's unfiltered first page as asked for at start-up, if any. */
export function peekFirstPage(): FirstPage | null {
  return firstPage;
}

/** The same, at most once: History's first list takes it. */
export function takeFirstPage(): FirstPage | null {
  const page = firstPage;
  firstPage = null;
  return page;
}

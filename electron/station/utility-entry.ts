/**
 * The station under the desktop app: runs in an Electron utilityProcess started by
 * electron/main/station-host.ts. Plain Node: it never imports `electron` and talks to
 * main only through `process.parentPort` (protocol: electron/main/station-protocol.ts).
 *
 * main → `start` (data dir + settings) once, then `invoke` / `shutdown`;
 * here → `ready`, `reply`, every bus `event`, and `fatal` before an exit we chose.
 * It also serves `/ws` and `/events` on settings.listenHost:listenPort, so MES and
 * dashboards read the same stream from the desktop app as from the headless station.
 */
import { join } from 'node:path';
import { createStation, type Station } from '#station/station.ts';
import { startServer, type RunningServer } from '#server/server.ts';
import { formatZodError, type Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import { ToStationSchema, type FromStation, type ToStation } from '../main/station-protocol.ts';

/** The part of Electron's ParentPort we use, declared here so this file needs no Electron types. */
interface ParentPortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!port) {
  console.error('utility-entry: no process.parentPort; this file runs only as an Electron utility process (use `npm run station` for the headless station)');
  process.exit(2);
}
const parent: ParentPortLike = port;

let station: Station | null = null;
let server: RunningServer | null = null;
let starting = false;
let stopping = false;

function post(message: FromStation): void {
  parent.postMessage(message);
}

function unavailable(message: string): Result<unknown> {
  return { ok: false, error: { kind: 'engine.unavailable', message } };
}

/** Tells main why, then exits; main shows the message and starts a fresh station. */
function fail(message: string): void {
  console.error(message);
  post({ type: 'fatal', message });
  // Give the port a turn to deliver the message before the process goes.
  setImmediate(() => process.exit(1));
}

async function start(msg: Extract<ToStation, { type: 'start' }>): Promise<void> {
  const { settings, dataDir, settingsProblems } = msg;
  let s: Station;
  try {
    // The desktop app's settings file (electron/main/settings-store.ts): the Settings screen saves into it.
    s = await createStation({ dataDir, settings, settingsProblems, settingsPath: join(dataDir, 'config.json') });
  } catch (e) {
    fail(`The station could not start: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  station = s;

  // Relay this boot's events from its `station.started` on, so a window that outlived a
  // station restart learns the station is new; later events stream live, without a gap.
  const snap = s.snapshot();
  const recent = s.bus.since(Math.max(0, snap.seq - 1000), 1000).events;
  const boot = recent.find((e) => e.kind === 'station.started' && e.data.bootId === snap.station.bootId);
  s.bus.subscribe((event: StationEvent) => post({ type: 'event', event }), boot ? boot.seq - 1 : snap.seq);

  // The desktop app works without the external stream (port taken, say): report, go on.
  let serverError: string | null = null;
  try {
    server = await startServer(s, { host: settings.listenHost, port: settings.listenPort, allowedHosts: settings.allowedHosts, tls: settings.tls });
  } catch (e) {
    serverError = `The event server could not listen on ${settings.listenHost}:${settings.listenPort}: ${e instanceof Error ? e.message : String(e)}`;
    console.error(serverError);
  }
  // Like the headless station, answer commands once every socket's runner has loaded its
  // procedure (or failed to): the operator's first scan then works. Main queues until then.
  await s.ready();
  post({ type: 'ready', eventsUrl: server ? `${server.url.replace(/^http/, 'ws')}/events` : null, serverError });
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await server?.close();
    await station?.close();
  } finally {
    process.exit(0);
  }
}

parent.on('message', ({ data }) => {
  const parsed = ToStationSchema.safeParse(data);
  if (!parsed.success) {
    console.error(`utility-entry: main sent a malformed message: ${formatZodError(parsed.error)}`);
    return;
  }
  const msg = parsed.data;
  switch (msg.type) {
    case 'start':
      if (starting) return;
      starting = true;
      start(msg).catch((e: unknown) => fail(`The station could not start: ${e instanceof Error ? e.message : String(e)}`));
      return;
    case 'invoke': {
      const { id, name, input } = msg;
      if (!station || stopping) {
        post({ type: 'reply', id, result: unavailable(stopping ? 'The station is shutting down' : 'The station is still starting') });
        return;
      }
      // station.invoke never throws: it returns {ok:false, error} for every failure.
      void station.invoke(name, input).then((result) => post({ type: 'reply', id, result }));
      return;
    }
    case 'shutdown':
      void stop();
      return;
  }
});

// utilityProcess.kill() sends SIGTERM: close as politely as for a shutdown message.
process.on('SIGTERM', () => void stop());
process.on('uncaughtException', (e) => fail(`The station crashed: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => fail(`The station crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

/**
 * The headless station: `npm run station`. Serves the built UI and the WebSocket
 * API on 127.0.0.1 (settings.listenHost), with the station in this process.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createStation } from '#station/station.ts';
import { loadSettings } from '#station/settings/settings.ts';
import { defaultDataDir } from '#station/settings/data-dir.ts';
import { releaseYoungGeneration } from '#station/boot.ts';
import { bindProblem, startServer } from './server.ts';

/** Set once this file handles SIGINT/SIGTERM itself (see main.ts). */
export const SIGNALS_TAKEN = Symbol.for('passline.headless.signals');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      sockets: { type: 'string' },
      sequences: { type: 'string' },
      procedure: { type: 'string' },
    },
  });
  const dataDir = values['data-dir'] ?? defaultDataDir();
  // Problems (a bad field keeps its last good value) are logged, shown and audited by the station.
  const { settings, problems } = loadSettings(dataDir);
  // What the Settings screen starts from when there is no file yet: the stored settings, without these flags.
  const storedSettings = structuredClone(settings);
  if (values.port !== undefined) settings.listenPort = Number(values.port);
  if (values.host !== undefined) settings.listenHost = values.host;
  if (values.sockets !== undefined) settings.sockets = Number(values.sockets);
  if (values.sequences !== undefined) settings.sequenceFolder = values.sequences;
  if (values.procedure !== undefined) settings.procedureId = values.procedure;

  // Signals are handled from the first moment: a stop while the station is still starting
  // (loading its procedure) ends it at once; its runners see their channel close and go too.
  let stopping = false;
  let stopNow: () => Promise<void> = () => Promise.resolve();
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void stopNow().finally(() => process.exit(0));
  };
  // main.ts's own listeners stay (removing them could drop a signal Node has caught but not yet
  // delivered): from here on they leave the stop to this one.
  (globalThis as { [SIGNALS_TAKEN]?: boolean })[SIGNALS_TAKEN] = true;
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // Refused before anything starts: the station would be open to the plant network without TLS.
  const problem = bindProblem(settings.listenHost, settings.tls);
  if (problem) throw new Error(problem);

  const t0 = performance.now();
  const station = await createStation({ dataDir, settings, settingsProblems: problems, storedSettings });
  stopNow = () => station.close();
  const server = await startServer(station, {
    host: settings.listenHost,
    port: settings.listenPort,
    allowedHosts: settings.allowedHosts,
    tls: settings.tls,
    staticDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
  });
  await station.ready();
  releaseYoungGeneration();
  // Tests and scripts wait for this exact line.
  console.log(`Passline station ready at ${server.url} (data in ${dataDir}, ${Math.round(performance.now() - t0)} ms)`);

  stopNow = () => server.close().then(() => station.close());
}

export const started = main().catch((e: unknown) => {
  console.error(`Passline station could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

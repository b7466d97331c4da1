/**
 * The whole bridge between the page and the station: `window.station = { invoke, on }`.
 * Sandboxed, so only `electron` can be required here at run time; the command list is a
 * literal whose equality with the contract's keys is checked by the compiler below.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandName } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';

const COMMAND_NAMES = [
  'station.snapshot',
  'run.start',
  'run.abort',
  'prompt.answer',
  'runs.list',
  'runs.get',
  'events.since',
  'upload.status',
  'upload.listParked',
  'upload.forRun',
  'upload.retry',
  'upload.drop',
  'runs.export',
  'runs.import',
  'units.history',
  'attachments.get',
  'store.backup',
  'ports.list',
  'instrument.test',
  'instruments.list',
  'calibration.list',
  'calibration.set',
  'scan.submit',
  'operator.logout',
  'session.get',
  'session.login',
  'session.resume',
  'session.logout',
  'setup.createAdmin',
  'people.list',
  'people.add',
  'people.update',
  'people.resetPin',
  'tokens.list',
  'tokens.create',
  'tokens.revoke',
  'audit.list',
  'audit.export',
  'audit.verify',
  'procedures.versions',
  'procedures.compare',
  'settings.get',
  'settings.update',
  'upload.testTarget',
  'procedures.list',
  'procedures.get',
  'procedures.drafts',
  'procedures.assign',
  'procedures.preview',
  'procedures.propose',
  'procedures.approve',
  'procedures.reject',
  'procedures.rollback',
  'locales.get',
  'stats.yield',
  'stats.pareto',
  'stats.failureRuns',
  'stats.measurements',
  'stats.spc',
  'stats.series',
  'stats.alerts',
  'stats.shift',
] as const satisfies readonly CommandName[];

// A command added to the contract but not listed above fails to compile here.
type Unlisted = Exclude<CommandName, (typeof COMMAND_NAMES)[number]>;
const everyCommandListed: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
void everyCommandListed;

const ALLOWED: ReadonlySet<string> = new Set(COMMAND_NAMES);

/** What the page sees as `window.station`. */
export interface StationBridge {
  invoke(name: CommandName, input?: unknown): Promise<Result<unknown>>;
  /** Every station event, in seq order; returns the unsubscribe function. */
  on(handler: (event: StationEvent) => void): () => void;
}

const bridge: StationBridge = {
  invoke(name, input) {
    if (!ALLOWED.has(name)) return Promise.resolve({ ok: false, error: { kind: 'invalid-input', message: `unknown command ${JSON.stringify(name)}` } });
    return ipcRenderer.invoke('station:invoke', name, input ?? {}) as Promise<Result<unknown>>;
  },
  on(handler) {
    if (typeof handler !== 'function') throw new TypeError('station.on(handler): handler must be a function');
    // The IPC event object (with its sender) never reaches the page.
    const listener = (_e: IpcRendererEvent, event: StationEvent): void => handler(event);
    ipcRenderer.on('station:event', listener);
    return () => {
      ipcRenderer.removeListener('station:event', listener);
    };
  },
};

contextBridge.exposeInMainWorld('station', bridge);

import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CommandNameSchema } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import { isTrustedFrame, type RendererSource } from './window.ts';

/** The two channels the preload uses; nothing else is handled. */
export const INVOKE_CHANNEL = 'station:invoke';
export const EVENT_CHANNEL = 'station:event';

/** Events wait here while a window loads, as in electron/fiddle's IPC manager; a reload starts over. */
const MAX_QUEUED_EVENTS = 10_000;

export interface Gateway {
  /** Adds a window to the event fan-out. */
  attach(win: BrowserWindow): void;
  /** Pushes one station event to every attached window. */
  publish(event: StationEvent): void;
}

/**
 * `station:invoke` → the station, for our own renderer only: the sender frame must be our
 * page's top frame and the name one of the contract's commands. Always answers with a
 * Result; the station parses the input.
 */
export function registerGateway(source: RendererSource, invoke: (name: string, input: unknown) => Promise<Result<unknown>>): Gateway {
  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedFrame(event.senderFrame, source)) {
      return { ok: false, error: { kind: 'invalid-input', message: 'this page may not send commands to the station' } };
    }
    const parsed = CommandNameSchema.safeParse(name);
    if (!parsed.success) {
      return {
        ok: false,
        error: { kind: 'invalid-input', message: `unknown command ${JSON.stringify(name)}; commands are ${CommandNameSchema.options.join(', ')}` },
      };
    }
    return invoke(parsed.data, input);
  });

  const windows = new Map<BrowserWindow, { loaded: boolean; queue: StationEvent[] }>();
  const deliver = (win: BrowserWindow, event: StationEvent): void => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
  };

  return {
    attach(win) {
      const state = { loaded: false, queue: [] as StationEvent[] };
      windows.set(win, state);
      const wc = win.webContents;
      wc.on('did-start-loading', () => {
        state.loaded = false;
      });
      wc.on('did-finish-load', () => {
        state.loaded = true;
        for (const e of state.queue.splice(0)) deliver(win, e);
      });
      win.once('closed', () => windows.delete(win));
    },
    publish(event) {
      for (const [win, state] of windows) {
        if (state.loaded) deliver(win, event);
        else {
          state.queue.push(event);
          // A page that never loads must not grow main's memory; it takes a snapshot when it does.
          if (state.queue.length > MAX_QUEUED_EVENTS) state.queue.splice(0, state.queue.length - MAX_QUEUED_EVENTS);
        }
      }
    },
  };
}

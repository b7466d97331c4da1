/**
 * Electron main: windows, security, the IPC gateway and the station's host. Thin on
 * purpose: the station (plain Node) runs in a utilityProcess, so SQLite and runner traffic
 * never stall window handling and a station fault is an exit that we show and restart.
 */
import { join } from 'node:path';
import { app, dialog, session, type BrowserWindow } from 'electron';
import { loadDesktopSettings } from './settings-store.ts';
import { StationHost } from './station-host.ts';
import { registerGateway } from './ipc-gateway.ts';
import { createMainWindow, hardenSession, hardenWebContents, rendererSource } from './window.ts';

// Every renderer is sandboxed, whatever a window's own options say.
app.enableSandbox();

const source = rendererSource();
let host: StationHost | null = null;
let mainWindow: BrowserWindow | null = null;
let errorShowing = false;
let closed = false;

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, source));

/** Shown on the operator's window, once at a time; the station restarts on its own meanwhile. */
function showStationError(message: string, detail: string): void {
  if (errorShowing || !mainWindow || mainWindow.isDestroyed()) return;
  errorShowing = true;
  void dialog.showMessageBox(mainWindow, { type: 'error', title: 'Passline station', message, detail, buttons: ['OK'] }).finally(() => {
    errorShowing = false;
  });
}

async function start(): Promise<void> {
  // App paths exist only once Electron is ready: never computed at module scope.
  const dataDir = app.getPath('userData');
  // Problems (a bad field keeps its last good value) are logged, shown and audited by the station.
  const { settings, problems, path } = loadDesktopSettings(dataDir);

  hardenSession(session.defaultSession);
  const station = new StationHost({
    entry: join(import.meta.dirname, 'utility-entry.js'),
    dataDir,
    settings,
    settingsProblems: problems,
    onEvent: (event) => gateway.publish(event),
    onReady: ({ eventsUrl, serverError }) => {
      if (eventsUrl) console.log(`Passline station ready (data in ${dataDir}, settings in ${path}, event stream at ${eventsUrl})`);
      if (serverError) console.warn(serverError);
    },
    onDown: ({ message, detail, restartInMs }) => {
      console.error(`${message} Restarting in ${restartInMs} ms.`);
      showStationError(`${message} Passline is restarting the station; a run in progress is recorded as ABORTED.`, detail);
    },
  });
  host = station;
  const gateway = registerGateway(source, (name, input) => station.invoke(name, input));
  station.start();

  mainWindow = createMainWindow(source);
  gateway.attach(mainWindow);
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

if (!app.requestSingleInstanceLock()) {
  // One station per machine: a second copy would fight over the database and the port.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (closed || !host) return;
    // Let the station stop its runners and flush its events before Electron exits.
    event.preventDefault();
    const h = host;
    host = null;
    void h.stop().finally(() => {
      closed = true;
      app.quit();
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      dialog.showErrorBox('Passline could not start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    });
}

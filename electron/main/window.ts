import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, type Session, type WebContents, type WebFrameMain } from 'electron';
import { CSP } from '#server/server.ts';

/** Where the renderer comes from: the Vite dev server under `electron-forge start`, else the built files. */
export interface RendererSource {
  /** The URL the window loads. */
  url: string;
  /** True when `url` (ignoring query and hash) is our renderer: the only page that may talk to the station. */
  isOurs(url: string): boolean;
}

export function rendererSource(): RendererSource {
  // Forge's Vite plugin defines these; in a packaged build the dev-server URL is left undefined.
  const devUrl = typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined;
  if (devUrl) {
    const origin = new URL(devUrl).origin;
    return { url: devUrl, isOurs: (url) => safeUrl(url)?.origin === origin };
  }
  const index = join(import.meta.dirname, '..', 'renderer', MAIN_WINDOW_VITE_NAME, 'index.html');
  return {
    url: pathToFileURL(index).href,
    isOurs: (url) => {
      const u = safeUrl(url);
      return u?.protocol === 'file:' && fileURLToPath(u) === index;
    },
  };
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Only our renderer's top frame may drive the station: no iframe, no other page. */
export function isTrustedFrame(frame: WebFrameMain | null | undefined, source: RendererSource): boolean {
  return !!frame && frame.parent === null && source.isOurs(frame.url);
}

/** Session-wide rules: our CSP on every response (the renderer's meta tag covers file://), no permissions. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(Object.entries(details.responseHeaders ?? {}).filter(([k]) => k.toLowerCase() !== 'content-security-policy'));
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CSP] } });
  });
  // Scanners are keyboards and instruments live in the station: the page needs no permission.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Rules for every web contents the app ever creates: no new windows, no navigation away, no webviews. */
export function hardenWebContents(contents: WebContents, source: RendererSource): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    // A reload of our own page is fine (the dev server's full reload); anything else is not.
    if (!source.isOurs(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!source.isOurs(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!source.isOurs(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(source: RendererSource): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 600,
    title: 'Passline',
    show: false,
    backgroundColor: '#111418',
    webPreferences: {
      preload: join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(source.url);
  return win;
}

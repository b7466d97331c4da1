/**
 * Start-up before React: main.tsx imports this first, so the connection to the station
 * and the first screen's code are on their way while React's own code is evaluated.
 */
import { LiveStation } from './api/live-station.ts';
import { SessionStore } from './api/session.ts';
import { createDefaultTransport } from './api/client.ts';
import { prefetchFirstPage } from './early.ts';
import { parseHash } from './router.ts';
import { preloadScreen } from './screens.ts';

export const station = new LiveStation(createDefaultTransport());
// Before start: it resumes this tab's login on the first connect, ahead of the snapshot.
export const session = new SessionStore(station);
station.start();

preloadScreen(parseHash(location.hash).name);

// Registered before the router's own listener: History's first page is asked for the moment
// the address changes, not after React has rendered the screen that asks. (Opened on History
// in a browser, early.ts has already asked; under Electron the bridge is here at once.)
const askFirstPage = (): void => prefetchFirstPage((input) => station.client.invoke('runs.list', input));
window.addEventListener('hashchange', () => location.hash === '#/history' && askFirstPage());
if (window.station && location.hash === '#/history') askFirstPage();

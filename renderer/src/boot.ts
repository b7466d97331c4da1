/**
 * Start-up before React: main.tsx imports this first, so the connection to the station
 * and the first screen's code are on their way while React's own code is evaluated.
 */
import { LiveStation } from './api/live-station.ts';
import { createDefaultTransport } from './api/client.ts';
import { parseHash } from './router.ts';
import { preloadScreen } from './screens.ts';

export const station = new LiveStation(createDefaultTransport());
station.start();

preloadScreen(parseHash(location.hash).name);

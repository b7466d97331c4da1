import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createWebSocketTransport, stationSocketUrl } from '../../api/ws-transport.ts';
import { SessionStore } from '../../api/session.ts';
import { SessionProvider } from '../../api/session-context.tsx';
import { PlantLive } from './plant-live.ts';
import { PlantApp } from './PlantApp.tsx';
import { I18nextProvider } from 'react-i18next';
import { i18n } from '../../i18n/i18n.ts';
import '../../styles.css';

/** The plant view's own entry (renderer/plant.html): the station's stack and login, none of its screens. */
const plant = new PlantLive(createWebSocketTransport(stationSocketUrl()));
const session = new SessionStore(plant);
// A login or logout changes who reads the line: read it again then (not on every session answer;
// the connect itself loads the line after resuming the tab's login).
let role: string | null | undefined;
session.subscribe(() => {
  const now = session.getView().state?.session.role;
  if (role !== undefined && now !== role) void plant.reload();
  role = now ?? null;
});
plant.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The login and shared parts speak through the station's catalogs (English until the plant gets a language menu). */}
    <I18nextProvider i18n={i18n}>
      <SessionProvider store={session}>
        <PlantApp plant={plant} />
      </SessionProvider>
    </I18nextProvider>
  </StrictMode>,
);

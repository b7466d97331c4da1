import { session, station } from './boot.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { StationProvider } from './api/station-context.tsx';
import { SessionProvider } from './api/session-context.tsx';
import { I18nextProvider } from 'react-i18next';
import { i18n, rememberedLanguage, setLanguage } from './i18n/i18n.ts';
import './styles.css';

// The language this browser showed last, before the first frame (a local chunk: milliseconds);
// the station's (or the operator's) follows as soon as the station says which it is.
const first = rememberedLanguage();
if (first !== 'en') await setLanguage(first, null).catch(() => undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <StationProvider station={station}>
        <SessionProvider store={session}>
          <App />
        </SessionProvider>
      </StationProvider>
    </I18nextProvider>
  </StrictMode>,
);

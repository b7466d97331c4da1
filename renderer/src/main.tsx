import { session, station } from './boot.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { StationProvider } from './api/station-context.tsx';
import { SessionProvider } from './api/session-context.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StationProvider station={station}>
      <SessionProvider store={session}>
        <App />
      </SessionProvider>
    </StationProvider>
  </StrictMode>,
);

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { LiveStation } from './api/live-station.ts';
import { createDefaultTransport } from './api/client.ts';
import { StationProvider } from './api/station-context.tsx';
import './styles.css';

const station = new LiveStation(createDefaultTransport());
station.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StationProvider station={station}>
      <App />
    </StationProvider>
  </StrictMode>,
);

import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { LiveStation } from './live-station.ts';
import type { StationClient } from './client.ts';
import type { StationView } from './station-view.ts';

const StationContext = createContext<LiveStation | null>(null);

export function StationProvider({ station, children }: { station: LiveStation; children: ReactNode }) {
  return <StationContext.Provider value={station}>{children}</StationContext.Provider>;
}

function useLiveStation(): LiveStation {
  const s = useContext(StationContext);
  if (!s) throw new Error('StationProvider is missing');
  return s;
}

export function useStationView(): StationView {
  const s = useLiveStation();
  return useSyncExternalStore(s.subscribe, s.getView);
}

export function useStationClient(): StationClient {
  return useLiveStation().client;
}

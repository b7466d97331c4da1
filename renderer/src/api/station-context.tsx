import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { EventKind } from '#contract/events.ts';
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

/**
 * A count of the station's events of these kinds since the screen opened: a screen that reads a
 * list by command puts it in an effect's dependencies to read it again when the station says
 * it changed (no polling).
 */
export function useEventTick(...kinds: EventKind[]): number {
  const s = useLiveStation();
  const [n, setN] = useState(0);
  const key = kinds.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    return s.onEvent((e) => {
      if (wanted.has(e.kind)) setN((x) => x + 1);
    });
  }, [s, key]);
  return n;
}

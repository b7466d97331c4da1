import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { SessionStore, SessionView } from './session.ts';

const SessionContext = createContext<SessionStore | null>(null);

export function SessionProvider({ store, children }: { store: SessionStore; children: ReactNode }) {
  return <SessionContext.Provider value={store}>{children}</SessionContext.Provider>;
}

export function useSessionStore(): SessionStore {
  const s = useContext(SessionContext);
  if (!s) throw new Error('SessionProvider is missing');
  return s;
}

export function useSession(): SessionView {
  const s = useSessionStore();
  return useSyncExternalStore(s.subscribe, s.getView);
}

import { useEffect, useState } from 'react';
import { useSessionStore } from '../../api/session-context.tsx';

/**
 * Asks the station again who this connection is, each time a gate opens: the first admin may
 * have been made from another client since the page loaded. True once the answer is in, so a
 * gate never shows "Create the first admin" from a stale state.
 */
export function useFreshSession(key: string): boolean {
  const store = useSessionStore();
  const [checked, setChecked] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void store.refresh().finally(() => {
      if (live) setChecked(key);
    });
    return () => {
      live = false;
    };
  }, [store, key]);
  return checked === key;
}

import { useEffect, useState, useSyncExternalStore } from 'react';
import { hasRole } from '#contract/auth.ts';
import { useSession, useSessionStore } from '../../api/session-context.tsx';
import { FirstAdminSetup } from '../access/FirstAdminSetup.tsx';
import { LoginPanel } from '../access/LoginPanel.tsx';
import { ROLE_LABEL } from '../access/role-text.ts';
import type { PlantLive } from './plant-live.ts';
import { LineView } from './LineView.tsx';
import { UnitLife } from './UnitLife.tsx';
import './plant.css';

type PlantRoute = { name: 'line' } | { name: 'unit'; serial: string };

function parseRoute(hash: string): PlantRoute {
  const m = /^#\/unit(?:\/(.*))?$/.exec(hash);
  if (m) {
    let serial = '';
    try {
      serial = decodeURIComponent(m[1] ?? '');
    } catch {
      serial = m[1] ?? '';
    }
    return { name: 'unit', serial };
  }
  return { name: 'line' };
}

function useRoute(): PlantRoute {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash);
}

const CONNECTION = {
  connecting: { text: 'Connecting…', tone: 'wait' },
  live: { text: 'Live', tone: 'ok' },
  reconnecting: { text: 'Reconnecting…', tone: 'bad' },
} as const;

/** The plant view: the line and a unit's life, for anyone logged in (operator and up) or a token with runs:read. */
export function PlantApp({ plant }: { plant: PlantLive }) {
  const view = useSyncExternalStore(plant.subscribe, plant.getView);
  const { state } = useSession();
  const store = useSessionStore();
  const route = useRoute();
  const conn = CONNECTION[view.connection];
  const person = state?.session.kind === 'person' ? state.session : null;
  const mayRead = state !== null && hasRole(state.session.role, 'operator');

  useEffect(() => {
    document.title = route.name === 'unit' && route.serial ? `${route.serial} · Passline plant` : 'Line · Passline plant';
  }, [route]);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <div className="brand-text">
            <span className="brand-name">Passline</span>
            <span className="station-name">Plant</span>
          </div>
        </div>
        <nav className="app-nav" aria-label="Main">
          <a href="#/" aria-current={route.name === 'line' ? 'page' : undefined}>
            Line
          </a>
          <a href="#/unit" aria-current={route.name === 'unit' ? 'page' : undefined}>
            Unit
          </a>
        </nav>
        <span className="plant-header-gap" />
        {person ? (
          <div className="header-session" role="group" aria-label="Logged in">
            <div className="header-session-who">
              <span className="header-session-name">{person.name}</span>
              <span className="header-session-role">{person.role ? ROLE_LABEL[person.role] : ''}</span>
            </div>
            <button type="button" className="button" onClick={() => void store.logout()}>
              Log out
            </button>
          </div>
        ) : null}
        <div className={`connection connection--${conn.tone}`} role="status" aria-label="Connection">
          <span className="connection-dot" aria-hidden="true" />
          {conn.text}
        </div>
      </header>
      <main className="app-main plant-main">
        {state === null ? (
          <section className="page page--center" aria-busy="true">
            <p className="connecting-title">Connecting to the plant…</p>
          </section>
        ) : state.setupRequired ? (
          <div className="page">
            <FirstAdminSetup />
          </div>
        ) : !mayRead ? (
          <div className="page">
            <LoginPanel needs="operator" />
          </div>
        ) : route.name === 'unit' ? (
          <UnitLife key={route.serial} plant={plant} serial={route.serial} />
        ) : (
          <LineView view={view} />
        )}
      </main>
    </div>
  );
}

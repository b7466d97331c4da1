import type { Route } from '../router.ts';
import type { StationView } from '../api/station-view.ts';
import { shortHash } from './format.ts';
import { UploadIndicator } from './UploadIndicator.tsx';

const CONNECTION: Record<StationView['connection'], { text: string; tone: string }> = {
  connecting: { text: 'Connecting…', tone: 'wait' },
  live: { text: 'Connected', tone: 'ok' },
  reconnecting: { text: 'Reconnecting…', tone: 'bad' },
};

export function Header({ view, route }: { view: StationView; route: Route }) {
  const conn = CONNECTION[view.connection];
  const proc = view.procedure;
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <div className="brand-text">
          <span className="brand-name">Passline</span>
          <span className="station-name">{view.station?.name ?? 'Station'}</span>
        </div>
      </div>
      <div className="procedure" aria-label="Test procedure">
        {proc ? (
          <>
            <span className="procedure-name">{proc.name}</span>
            <span className="procedure-version">
              v{proc.version}
              <span className="procedure-hash" title={`Procedure hash ${proc.hash}`}>
                {' '}
                · {shortHash(proc.hash)}
              </span>
            </span>
          </>
        ) : view.procedureError ? (
          <span className="procedure-name procedure-name--error">No procedure loaded</span>
        ) : (
          <span className="procedure-name procedure-name--muted">Loading procedure…</span>
        )}
      </div>
      <nav className="app-nav" aria-label="Main">
        <a href="#/" aria-current={route.name === 'operator' ? 'page' : undefined}>
          Station
        </a>
        <a href="#/history" aria-current={route.name === 'history' || route.name === 'run' ? 'page' : undefined}>
          History
        </a>
      </nav>
      <UploadIndicator upload={view.upload} />
      <div className={`connection connection--${conn.tone}`} role="status" aria-label="Connection">
        <span className="connection-dot" aria-hidden="true" />
        {conn.text}
      </div>
    </header>
  );
}

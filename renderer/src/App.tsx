import { useEffect } from 'react';
import { useStationView } from './api/station-context.tsx';
import { Header } from './components/Header.tsx';
import { useRoute } from './router.ts';
import { OperatorScreen } from './features/operator/OperatorScreen.tsx';
import { HistoryScreen } from './features/history/HistoryScreen.tsx';
import { RunPage } from './features/run/RunPage.tsx';
import { UnitPage } from './features/unit/UnitPage.tsx';
import { SupervisorPage } from './features/supervisor/SupervisorPage.tsx';

const TITLES = { operator: 'Station', history: 'History', run: 'Run', unit: 'Unit', supervisor: 'Supervisor', 'not-found': 'Not found' } as const;

export function App() {
  const view = useStationView();
  const route = useRoute();

  useEffect(() => {
    document.title = `${TITLES[route.name]} · ${view.station?.name ?? 'Passline'}`;
  }, [route.name, view.station?.name]);

  return (
    <div className="app">
      <Header view={view} route={route} />
      {view.connection === 'reconnecting' ? (
        <div className="connection-banner" role="alert">
          Connection to the station lost. Reconnecting… Results are kept by the station.
        </div>
      ) : null}
      <main className="app-main" id="main">
        {route.name === 'operator' ? (
          <OperatorScreen view={view} />
        ) : route.name === 'history' ? (
          <HistoryScreen runsEnded={view.runsEnded} />
        ) : route.name === 'run' ? (
          <RunPage key={route.runId} runId={route.runId} runsEnded={view.runsEnded} procedure={view.procedure} upload={view.upload} />
        ) : route.name === 'supervisor' ? (
          <SupervisorPage upload={view.upload} />
        ) : route.name === 'unit' ? (
          <UnitPage key={route.serial} serial={route.serial} runsEnded={view.runsEnded} />
        ) : (
          <section className="page">
            <h1>Page not found</h1>
            <p>
              There is no page at <code>{route.path}</code>. <a href="#/">Go to the station</a>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}

import { Suspense, lazy, memo, useEffect } from 'react';
import { useStationView } from './api/station-context.tsx';
import { Header } from './components/Header.tsx';
import { ScreenBoundary } from './components/ScreenBoundary.tsx';
import { useRoute } from './router.ts';
import { SCREENS } from './screens.ts';
import { HistoryScreen as History } from './features/history/HistoryScreen.tsx';
import { FailureRuns } from './features/history/FailureRuns.tsx';
import { useSession } from './api/session-context.tsx';
import { ScreenGate } from './features/access/ScreenGate.tsx';
import { SessionControl } from './features/access/SessionControl.tsx';
import { LoginPage } from './features/access/LoginPage.tsx';
import { LoginPanel } from './features/access/LoginPanel.tsx';
import { SUPERVISOR_AREA, SupervisorTabs } from './components/SupervisorTabs.tsx';

// A chunk per screen, so a page opened directly loads only its own code; History, light and
// often opened directly, is in the main chunk. Memoized: a screen re-renders for its own
// props, not for every event the header follows.
const HistoryScreen = memo(History);
const OperatorScreen = lazy(() => SCREENS.operator().then((m) => ({ default: m.OperatorScreen })));
const RunPage = lazy(() => SCREENS.run().then((m) => ({ default: memo(m.RunPage) })));
const UnitPage = lazy(() => SCREENS.unit().then((m) => ({ default: memo(m.UnitPage) })));
const OverlayPage = lazy(() => SCREENS.overlay().then((m) => ({ default: m.OverlayPage })));
const SupervisorPage = lazy(() => SCREENS.supervisor().then((m) => ({ default: memo(m.SupervisorPage) })));
const YieldPage = lazy(() => SCREENS.yield().then((m) => ({ default: m.YieldPage })));
const ParetoPage = lazy(() => SCREENS.pareto().then((m) => ({ default: m.ParetoPage })));
const SpcPage = lazy(() => SCREENS.spc().then((m) => ({ default: m.SpcPage })));
const AuditPage = lazy(() => SCREENS.audit().then((m) => ({ default: m.AuditPage })));
const ProceduresPage = lazy(() => SCREENS.procedures().then((m) => ({ default: m.ProceduresPage })));
const PeoplePage = lazy(() => SCREENS.people().then((m) => ({ default: m.PeoplePage })));
const TokensPage = lazy(() => SCREENS.tokens().then((m) => ({ default: m.TokensPage })));
const SettingsPage = lazy(() => SCREENS.settings().then((m) => ({ default: m.SettingsPage })));

const TITLES = {
  operator: 'Station',
  history: 'History',
  run: 'Run',
  unit: 'Unit',
  overlay: 'Series of many runs',
  supervisor: 'Supervisor',
  yield: 'Yield',
  pareto: 'Failure Pareto',
  spc: 'SPC',
  audit: 'Audit',
  procedures: 'Procedures',
  people: 'People',
  tokens: 'Tokens',
  settings: 'Settings',
  login: 'Log in',
  'not-found': 'Not found',
} as const;

export function App() {
  const view = useStationView();
  const route = useRoute();
  const { state } = useSession();

  useEffect(() => {
    document.title = `${TITLES[route.name]} · ${view.station?.name ?? 'Passline'}`;
  }, [route.name, view.station?.name]);

  return (
    <div className="app">
      <Header view={view} route={route} role={state?.session.role ?? null} session={<SessionControl route={route} />} />
      {view.connection === 'reconnecting' ? (
        <div className="connection-banner" role="alert">
          Connection to the station lost. Reconnecting… Results are kept by the station.
        </div>
      ) : null}
      <main className="app-main" id="main">
        {SUPERVISOR_AREA.has(route.name) ? <SupervisorTabs route={route} role={state?.session.role ?? null} /> : null}
        {/* requireBadgeLogin: a station that shows nothing before a login gets one here, badge only. */}
        {state?.requireBadgeLogin && state.session.role === null && view.station === null ? (
          <div className="page">
            <LoginPanel needs="operator" />
          </div>
        ) : (
          // Outside the screen's own boundary: on a move between screens the one on view stays up
          // until the next has its code (and History its first page), instead of blanking.
          <Suspense fallback={null}>
            <ScreenBoundary key={route.name}>
              {route.name === 'operator' ? (
                <OperatorScreen view={view} />
              ) : route.name === 'history' ? (
                route.failure ? (
                  // The runs behind a Pareto bar: the statistics are the supervisor's.
                  <ScreenGate screen="pareto">
                    <FailureRuns failure={route.failure} runsEnded={view.runsEnded} />
                  </ScreenGate>
                ) : (
                  <HistoryScreen runsEnded={view.runsEnded} />
                )
              ) : route.name === 'run' ? (
                <RunPage key={route.runId} runId={route.runId} runsEnded={view.runsEnded} procedure={view.procedure} upload={view.upload} />
              ) : route.name === 'supervisor' ? (
                <ScreenGate screen="supervisor">
                  <SupervisorPage
                    upload={view.upload}
                    database={view.database}
                    procedureError={view.procedureError}
                    procedureWarning={view.procedureWarning}
                    settingsProblems={view.settingsProblems}
                  />
                </ScreenGate>
              ) : route.name === 'yield' ? (
                <ScreenGate screen="yield">
                  <YieldPage query={route.query} groupBy={route.groupBy} />
                </ScreenGate>
              ) : route.name === 'pareto' ? (
                <ScreenGate screen="pareto">
                  <ParetoPage query={route.query} by={route.by} />
                </ScreenGate>
              ) : route.name === 'spc' ? (
                <ScreenGate screen="spc">
                  <SpcPage query={route.query} measurement={route.measurement} />
                </ScreenGate>
              ) : route.name === 'audit' ? (
                <ScreenGate screen="audit">
                  <AuditPage />
                </ScreenGate>
              ) : route.name === 'procedures' ? (
                <ScreenGate screen="procedures">
                  <ProceduresPage
                    sockets={view.sockets}
                    runsEnded={view.runsEnded}
                    loadedKey={`${view.procedure?.hash ?? ''} ${view.procedureError?.message ?? ''} ${view.procedureWarning?.message ?? ''}`}
                  />
                </ScreenGate>
              ) : route.name === 'people' ? (
                <ScreenGate screen="people">
                  <PeoplePage />
                </ScreenGate>
              ) : route.name === 'tokens' ? (
                <ScreenGate screen="tokens">
                  <TokensPage />
                </ScreenGate>
              ) : route.name === 'settings' ? (
                <ScreenGate screen="settings">
                  <SettingsPage />
                </ScreenGate>
              ) : route.name === 'login' ? (
                <LoginPage from={route.from} />
              ) : route.name === 'overlay' ? (
                <ScreenGate screen="overlay">
                  <OverlayPage query={route.query} />
                </ScreenGate>
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
            </ScreenBoundary>
          </Suspense>
        )}
      </main>
    </div>
  );
}

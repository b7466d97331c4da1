import { Suspense, lazy, memo, useEffect } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useStationClient, useStationView } from './api/station-context.tsx';
import { Header } from './components/Header.tsx';
import { ScreenBoundary } from './components/ScreenBoundary.tsx';
import { useRoute, type Route } from './router.ts';
import { SCREENS } from './screens.ts';
import { HistoryScreen as History } from './features/history/HistoryScreen.tsx';
import { FailureRuns } from './features/history/FailureRuns.tsx';
import { useSession } from './api/session-context.tsx';
import { ScreenGate } from './features/access/ScreenGate.tsx';
import { SessionControl } from './features/access/SessionControl.tsx';
import { LoginPage } from './features/access/LoginPage.tsx';
import { LoginPanel } from './features/access/LoginPanel.tsx';
import { SUPERVISOR_AREA, SupervisorTabs } from './components/SupervisorTabs.tsx';
import { LanguageMenu } from './components/LanguageMenu.tsx';
import { useLanguage } from './i18n/language.ts';

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
  operator: 'app.screen.operator',
  history: 'app.screen.history',
  run: 'app.screen.run',
  unit: 'app.screen.unit',
  overlay: 'app.screen.overlay',
  supervisor: 'app.screen.supervisor',
  yield: 'app.screen.yield',
  pareto: 'app.screen.pareto',
  spc: 'app.screen.spc',
  audit: 'app.screen.audit',
  procedures: 'app.screen.procedures',
  people: 'app.screen.people',
  tokens: 'app.screen.tokens',
  settings: 'app.screen.settings',
  login: 'app.screen.login',
  'not-found': 'app.screen.notFound',
} as const satisfies Record<Route['name'], string>;

export function App() {
  const view = useStationView();
  const route = useRoute();
  const { state } = useSession();
  const { t } = useTranslation();
  const language = useLanguage(view, state, useStationClient());

  const title = t('app.title', { screen: t(TITLES[route.name]), station: view.station?.name ?? 'Passline' });
  useEffect(() => {
    document.title = title;
  }, [title]);

  return (
    <div className="app">
      <Header
        view={view}
        route={route}
        role={state?.session.role ?? null}
        session={<SessionControl route={route} />}
        language={<LanguageMenu choice={language} />}
      />
      {view.connection === 'reconnecting' ? (
        <div className="connection-banner" role="alert">
          {t('app.reconnecting')}
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
                  <SettingsPage onLanguageSaved={language.stationChanged} />
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
                  <h1>{t('app.notFoundTitle')}</h1>
                  <p>
                    {/* Trans puts the catalog's words into the link. */}
                    {/* eslint-disable-next-line jsx-a11y/anchor-has-content */}
                    <Trans i18nKey="app.notFoundText" values={{ path: route.path }} components={{ code: <code />, a: <a href="#/" /> }} />
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

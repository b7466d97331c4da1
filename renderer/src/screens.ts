import type { Route } from './router.ts';

/** The screens in chunks of their own, each imported once. */
export const SCREENS = {
  operator: once(() => import('./features/operator/OperatorScreen.tsx')),
  run: once(() => import('./features/run/RunPage.tsx')),
  unit: once(() => import('./features/unit/UnitPage.tsx')),
  overlay: once(() => import('./features/overlay/OverlayPage.tsx')),
  supervisor: once(() => import('./features/supervisor/SupervisorPage.tsx')),
  yield: once(() => import('./features/yield/YieldPage.tsx')),
  pareto: once(() => import('./features/pareto/ParetoPage.tsx')),
  spc: once(() => import('./features/spc/SpcPage.tsx')),
  audit: once(() => import('./features/audit/AuditPage.tsx')),
  procedures: once(() => import('./features/procedures/ProceduresPage.tsx')),
  people: once(() => import('./features/people/PeoplePage.tsx')),
  tokens: once(() => import('./features/tokens/TokensPage.tsx')),
  settings: once(() => import('./features/settings/SettingsPage.tsx')),
} satisfies Partial<Record<Route['name'], () => Promise<unknown>>>;

/** Starts loading a route's screen (boot.ts, before React renders), if it has a chunk. */
export function preloadScreen(name: Route['name']): void {
  const load = (SCREENS as Partial<Record<Route['name'], () => Promise<unknown>>>)[name];
  load?.().catch(() => undefined);
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => {
    // A failed load is tried again next time (the station may have been restarting).
    p ??= load().catch((e: unknown) => {
      p = null;
      throw e;
    });
    return p;
  };
}

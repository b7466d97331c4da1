import type { Scope } from '#contract/auth.ts';

/** What each scope lets a client do, in words for the admin choosing one. */
export const SCOPE_TEXT: Record<Scope, string> = {
  'events:read': 'Follow the live station (events)',
  'runs:read': 'Read runs and results',
  operate: 'Start and answer runs, as an operator',
  supervise: 'Supervise: retry uploads, back up, import',
};

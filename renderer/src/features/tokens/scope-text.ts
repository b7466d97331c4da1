import type { Scope } from '#contract/auth.ts';

/** What each scope lets a client do, in words for the admin choosing one. */
export const SCOPE_TEXT = {
  'events:read': 'tokens.scopeEvents',
  'runs:read': 'tokens.scopeRuns',
  operate: 'tokens.scopeOperate',
  supervise: 'tokens.scopeSupervise',
} as const satisfies Record<Scope, string>;

import type { CommandName } from './commands.ts';
import type { PlantCommandName } from './plant.ts';
import { hasRole, scopeRank, type Role, type Scope, type Session } from './auth.ts';
import { message, type MessageKey, type MessageParams } from './message-text.ts';

/**
 * Who may call each command: the least role of a person's session, and the least scope of an
 * API token (null: no token may). `role: null` means anyone, logged in or not (reading who you
 * are, logging in). The station checks every call against this table (station/gate.ts); the
 * renderer reads it only to hide what would be refused. docs/operations.md shows the same.
 */
export interface Need {
  role: Role | null;
  scope: Scope | null;
  /** Changes something: refused while the station restarts, and audited where it matters. */
  changes: boolean;
}

const anyone: Need = { role: null, scope: 'events:read', changes: false };
const read: Need = { role: 'operator', scope: 'runs:read', changes: false };
const operate: Need = { role: 'operator', scope: 'operate', changes: true };
const technician = (changes: boolean): Need => ({ role: 'technician', scope: changes ? 'supervise' : 'runs:read', changes });
const supervise = (changes: boolean): Need => ({ role: 'supervisor', scope: 'supervise', changes });
/** Line statistics: the supervisor's screens; a dashboard reads them with a runs:read token. */
const statsRead: Need = { role: 'supervisor', scope: 'runs:read', changes: false };
/** People and tokens: an admin at the station only, never a token. */
const admin = (changes: boolean): Need => ({ role: 'admin', scope: null, changes });

export const ACCESS: Record<CommandName, Need> = {
  'session.get': anyone,
  'session.login': { ...anyone, scope: null },
  'session.resume': { ...anyone, scope: null },
  'session.logout': { ...anyone, scope: null },
  'setup.createAdmin': { role: null, scope: null, changes: true },
  // The operator's screen shows the station before anyone logs in (settings.requireBadgeLogin).
  'station.snapshot': anyone,
  'events.since': anyone,
  // The screens' words: shown before anyone logs in, like the snapshot.
  'locales.get': anyone,
  'runs.list': read,
  'runs.get': read,
  'units.history': read,
  'attachments.get': read,
  'upload.status': read,
  'upload.forRun': read,
  'runs.export': read,
  'instruments.list': read,
  'calibration.list': read,
  'run.start': operate,
  // A badge scan is how an operator logs in: open to anyone; a unit's or fixture's scan then needs run.start's right.
  'scan.submit': { ...operate, role: null },
  'run.abort': operate,
  'prompt.answer': operate,
  'operator.logout': operate,
  'ports.list': technician(false),
  // Opens a connection to an instrument: not for a read-only token.
  'instrument.test': { ...technician(false), scope: 'supervise' },
  'calibration.set': technician(true),
  'upload.listParked': supervise(false),
  'upload.retry': supervise(true),
  'upload.drop': supervise(true),
  'runs.import': supervise(true),
  'store.backup': supervise(true),
  'audit.list': supervise(false),
  'audit.export': supervise(false),
  'audit.verify': supervise(false),
  'procedures.versions': supervise(false),
  'procedures.compare': supervise(false),
  'settings.get': supervise(false),
  'settings.update': supervise(true),
  // Sends a synthetic run out of the station: a change to the world, never a read-only token's.
  'upload.testTarget': supervise(true),
  'procedures.list': supervise(false),
  'procedures.get': supervise(false),
  'procedures.drafts': supervise(false),
  'procedures.assign': supervise(true),
  'procedures.preview': supervise(false),
  'procedures.propose': supervise(true),
  'procedures.approve': supervise(true),
  'procedures.reject': supervise(true),
  'procedures.rollback': supervise(true),
  'stats.yield': statsRead,
  'stats.pareto': statsRead,
  'stats.failureRuns': statsRead,
  'stats.measurements': statsRead,
  'stats.spc': statsRead,
  'stats.series': statsRead,
  'stats.alerts': statsRead,
  // The operator's header shows the shift's yield.
  'stats.shift': read,
  'people.list': admin(false),
  'people.add': admin(true),
  'people.update': admin(true),
  'people.resetPin': admin(true),
  'tokens.list': admin(false),
  'tokens.create': admin(true),
  'tokens.revoke': admin(true),
};

/**
 * The plant process (`passline plant`): logins, people and tokens as at a station (the same
 * needs, taken from ACCESS), and its own reads. Its people and tokens are its own, kept in its
 * data folder.
 */
export const PLANT_ACCESS: Record<PlantCommandName, Need> = {
  'session.get': ACCESS['session.get'],
  'session.login': ACCESS['session.login'],
  'session.resume': ACCESS['session.resume'],
  'session.logout': ACCESS['session.logout'],
  'setup.createAdmin': ACCESS['setup.createAdmin'],
  'people.list': ACCESS['people.list'],
  'people.add': ACCESS['people.add'],
  'people.update': ACCESS['people.update'],
  'people.resetPin': ACCESS['people.resetPin'],
  'tokens.list': ACCESS['tokens.list'],
  'tokens.create': ACCESS['tokens.create'],
  'tokens.revoke': ACCESS['tokens.revoke'],
  'plant.line': read,
  'plant.unit': read,
};

/** The screens of the station UI and the least role that sees each. */
export const SCREEN_ACCESS = {
  operator: 'operator',
  history: 'operator',
  run: 'operator',
  unit: 'operator',
  // Reads stats.series, a supervisor's statistic.
  overlay: 'supervisor',
  supervisor: 'supervisor',
  yield: 'supervisor',
  pareto: 'supervisor',
  spc: 'supervisor',
  audit: 'supervisor',
  procedures: 'supervisor',
  settings: 'supervisor',
  people: 'admin',
  tokens: 'admin',
} as const satisfies Record<string, Role>;
export type ScreenName = keyof typeof SCREEN_ACCESS;

/**
 * Whether a session may call a command; the reason in words when not (shown as `forbidden`), and
 * for a person at the station also as a message key (an API client reads the English).
 */
export function allowed(session: Session, name: CommandName): Refusal {
  return allowedBy(session, name, ACCESS[name]);
}

/** The same check against a plant process command (PLANT_ACCESS). */
export function allowedInPlant(session: Session, name: PlantCommandName): Refusal {
  return allowedBy(session, name, PLANT_ACCESS[name]);
}

type Refusal = { ok: true } | { ok: false; message: string; needs: string; key?: MessageKey; params?: MessageParams };

function allowedBy(session: Session, name: string, need: Need): Refusal {
  if (session.kind === 'token') {
    if (need.scope !== null && session.scope !== null && scopeRank(session.scope) >= scopeRank(need.scope)) return { ok: true };
    return need.scope === null
      ? {
          ok: false,
          needs: 'a person at the station',
          message: `${name} is not for API tokens: it needs ${article(need.role ?? 'a person')} logged in at the station`,
        }
      : { ok: false, needs: need.scope, message: `${name} needs a token with the scope ${need.scope} (this token has ${session.scope ?? 'none'})` };
  }
  if (need.role === null || hasRole(session.role, need.role)) return { ok: true };
  const key: MessageKey = session.role === null ? 'needsLogin' : 'needsRole';
  const params: MessageParams = { command: name, context: need.role, ...(session.role !== null ? { have: session.role } : {}) };
  return { ok: false, needs: need.role, message: message(key, params), key, params };
}

const article = (role: string): string => (/^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`);

export function canSee(role: Role | null, screen: ScreenName): boolean {
  return hasRole(role, SCREEN_ACCESS[screen]);
}

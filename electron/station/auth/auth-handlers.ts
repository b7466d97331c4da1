import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import type { SessionState } from '#contract/auth.ts';
import { StationFault } from '#contract/errors.ts';
import { fault } from '#contract/messages.ts';
import type { PeopleRepo } from './people.ts';
import type { Sessions, Caller } from './sessions.ts';

type AuthCommand =
  | 'session.get'
  | 'session.login'
  | 'session.resume'
  | 'session.logout'
  | 'setup.createAdmin'
  | 'people.list'
  | 'people.add'
  | 'people.update'
  | 'people.resetPin'
  | 'tokens.list'
  | 'tokens.create'
  | 'tokens.revoke';

export type AuthHandlers = { [K in AuthCommand]: (input: CommandArgs<K>, caller: Caller) => Promise<CommandOutput<K>> | CommandOutput<K> };

export interface AuthDeps {
  people: PeopleRepo;
  sessions: Sessions;
  requireBadgeLogin: () => boolean;
  /** Writes one audit entry (who, what, details). */
  audit: (actor: string, action: string, details: Record<string, unknown>) => void;
  /** A person logged in or out as the operator at the station (recorded on the runs it starts). */
  operatorChanged: (badge: string | null, source: string) => void;
}

/** Logins, the first admin, people and tokens: every change audited with the session's actor. */
export function authHandlers(d: AuthDeps): AuthHandlers {
  const { people, sessions } = d;
  const state = (caller: Caller): SessionState => ({
    session: sessions.session(caller),
    setupRequired: !people.hasAdmin(),
    requireBadgeLogin: d.requireBadgeLogin(),
    resumeKey: sessions.live(caller) ? caller.login!.key : null,
  });
  const personOnly = (caller: Caller, what: string): void => {
    if (caller.kind === 'token') throw new StationFault('forbidden', `${what} is for a person at the station, not for an API token`);
  };

  return {
    'session.get': (_i, caller) => state(caller),
    'session.login': async (i, caller) => {
      personOnly(caller, 'logging in');
      const r = await people.check(i.badge, i.pin);
      if (!r.ok) {
        d.audit(i.badge, 'session.loginFailed', { from: caller.from, reason: r.reason });
        throw fault('login.failed', 'notLoggedIn', { ...r.params, reason: r.key }, { field: r.reason.includes('PIN') ? 'pin' : 'badge' });
      }
      sessions.login(caller, r.person);
      d.audit(r.person.badge, 'session.loggedIn', { from: caller.from, role: r.person.role, name: r.person.name });
      if (r.person.role === 'operator') d.operatorChanged(r.person.badge, 'login');
      return state(caller);
    },
    'session.resume': (i, caller) => {
      personOnly(caller, 'logging in');
      // A key that expired or is unknown leaves the caller as it is: the page shows the login.
      sessions.resume(caller, i.resumeKey);
      return state(caller);
    },
    'session.logout': (_i, caller) => {
      const l = sessions.logout(caller);
      if (l) {
        d.audit(l.person.badge, 'session.loggedOut', { from: caller.from });
        if (l.person.role === 'operator') d.operatorChanged(null, 'logout');
      }
      return state(caller);
    },
    'setup.createAdmin': async (i, caller) => {
      personOnly(caller, 'creating the first admin');
      if (people.hasAdmin()) throw fault('forbidden', 'adminExists');
      const admin = await people.add({ badge: i.badge, name: i.name, role: 'admin', pin: i.pin });
      d.audit(admin.badge, 'setup.adminCreated', { badge: admin.badge, name: admin.name, from: caller.from });
      sessions.login(caller, admin);
      d.audit(admin.badge, 'session.loggedIn', { from: caller.from, role: admin.role, name: admin.name });
      return state(caller);
    },
    'people.list': () => ({ people: people.list() }),
    'people.add': async (i, caller) => {
      const p = await people.add(i);
      d.audit(sessions.actor(caller), 'people.added', { badge: p.badge, name: p.name, role: p.role, pinSet: p.hasPin, language: p.language });
      return p;
    },
    'people.update': (i, caller) => {
      const self = sessions.session(caller).id === i.badge;
      if (self && (i.disabled === true || (i.role !== undefined && i.role !== 'admin')))
        throw fault('invalid-input', 'selfDisable', {}, { field: 'badge' }, 'badge');
      const { before, after } = people.update(i.badge, i);
      if (before.role === 'admin' && !people.hasAdmin()) {
        // Never leave a station with no admin: nobody could add people again.
        people.update(i.badge, { role: before.role, disabled: before.disabled, language: before.language });
        throw fault('invalid-input', 'lastAdmin', { badge: i.badge }, { field: 'role' });
      }
      sessions.personChanged(after);
      const diff = (['name', 'role', 'disabled', 'language'] as const)
        .filter((k) => before[k] !== after[k])
        .map((k) => ({ path: k, before: before[k], after: after[k] }));
      d.audit(sessions.actor(caller), 'people.updated', { badge: after.badge, diff });
      return after;
    },
    'people.resetPin': async (i, caller) => {
      const p = await people.resetPin(i.badge, i.pin);
      d.audit(sessions.actor(caller), 'people.pinReset', { badge: p.badge });
      return p;
    },
    'tokens.list': () => ({ tokens: people.listTokens() }),
    'tokens.create': (i, caller) => {
      const actor = sessions.actor(caller);
      const made = people.createToken(i.name, i.scope, actor);
      d.audit(actor, 'tokens.created', { id: made.token.id, name: made.token.name, scope: made.token.scope });
      return made;
    },
    'tokens.revoke': (i, caller) => {
      const t = people.revokeToken(i.id);
      d.audit(sessions.actor(caller), 'tokens.revoked', { id: t.id, name: t.name, scope: t.scope });
      return t;
    },
  };
}

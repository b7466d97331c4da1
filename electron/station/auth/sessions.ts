import { randomBytes } from 'node:crypto';
import type { Person, Session, TokenInfo } from '#contract/auth.ts';

/**
 * One caller of the station: a WebSocket connection, the desktop window, the CLI, a serial
 * scanner. Its session says who acts; nothing in a command's input does.
 */
export interface Caller {
  /** Where it comes from, for the audit trail and a token's last use: an address, "window", "cli". */
  readonly from: string;
  readonly kind: 'ui' | 'token' | 'os' | 'station';
  /** The token it connected with (kind token). */
  readonly token?: TokenInfo;
  /** The OS user (kind os: the CLI). */
  readonly osUser?: string;
  /** The person logged in on it, if any. */
  login: Login | null;
}

export interface Login {
  person: Person;
  key: string;
  lastActive: number;
}

/**
 * Logins and their idle expiry. A login belongs to the caller it was made on; its key lets the
 * same page take it back after a reconnect (session.resume) until it has been idle too long.
 */
export class Sessions {
  private readonly byKey = new Map<string, Login>();
  private readonly idleMs: () => number;
  private readonly requireBadgeLogin: () => boolean;

  constructor(o: { idleMinutes: () => number; requireBadgeLogin: () => boolean }) {
    this.idleMs = () => o.idleMinutes() * 60_000;
    this.requireBadgeLogin = o.requireBadgeLogin;
  }

  static ui(from: string): Caller {
    return { from, kind: 'ui', login: null };
  }

  static token(token: TokenInfo, from: string): Caller {
    return { from, kind: 'token', token, login: null };
  }

  static os(user: string): Caller {
    return { from: 'cli', kind: 'os', osUser: user, login: null };
  }

  /** The station itself: a serial scanner's scans, the start and stop entries. */
  static station(): Caller {
    return { from: 'station', kind: 'station', login: null };
  }

  /** Ends a login that has been idle too long; returns the expired login, if one was. */
  expire(caller: Caller, now = Date.now()): Login | null {
    const l = caller.login;
    if (!l || now - l.lastActive <= this.idleMs()) return null;
    caller.login = null;
    this.byKey.delete(l.key);
    return l;
  }

  touch(caller: Caller, now = Date.now()): void {
    if (caller.login) caller.login.lastActive = now;
  }

  login(caller: Caller, person: Person, now = Date.now()): Login {
    this.logout(caller);
    const login: Login = { person, key: randomBytes(24).toString('base64url'), lastActive: now };
    this.byKey.set(login.key, login);
    caller.login = login;
    return login;
  }

  logout(caller: Caller): Login | null {
    const l = caller.login;
    if (!l) return null;
    this.byKey.delete(l.key);
    caller.login = null;
    return l;
  }

  resume(caller: Caller, key: string, now = Date.now()): Login | null {
    const l = this.byKey.get(key);
    if (!l) return null;
    if (now - l.lastActive > this.idleMs()) {
      this.byKey.delete(key);
      return null;
    }
    l.lastActive = now;
    caller.login = l;
    return l;
  }

  /** A person changed (role, disabled): their open logins follow at once. */
  personChanged(person: Person): void {
    for (const [key, l] of this.byKey) {
      if (l.person.badge !== person.badge) continue;
      if (person.disabled) this.byKey.delete(key);
      else l.person = person;
    }
  }

  /** Whether a login is still live (a disabled person's ends everywhere, at their next command). */
  live(caller: Caller): boolean {
    return caller.login !== null && this.byKey.get(caller.login.key) === caller.login;
  }

  session(caller: Caller): Session {
    const l = caller.login;
    if (l && this.live(caller))
      return {
        kind: 'person',
        id: l.person.badge,
        name: l.person.name,
        role: l.person.role,
        scope: null,
        expiresAt: new Date(l.lastActive + this.idleMs()).toISOString(),
        language: l.person.language,
      };
    if (caller.kind === 'token' && caller.token)
      return { kind: 'token', id: caller.token.id, name: caller.token.name, role: null, scope: caller.token.scope, expiresAt: null, language: null };
    // The CLI runs with the data folder's file permissions: whoever can run it could edit the file anyway.
    if (caller.kind === 'os')
      return { kind: 'os', id: caller.osUser ?? null, name: caller.osUser ?? 'os user', role: 'admin', scope: null, expiresAt: null, language: null };
    if (caller.kind === 'station') return { kind: 'anonymous', id: null, name: 'station', role: 'operator', scope: null, expiresAt: null, language: null };
    return { kind: 'anonymous', id: null, name: '', role: this.requireBadgeLogin() ? null : 'operator', scope: null, expiresAt: null, language: null };
  }

  /** Who did it, as the audit trail and a run's record name them. */
  actor(caller: Caller): string {
    const s = this.session(caller);
    if (s.kind === 'person') return s.id!;
    if (s.kind === 'token') return `token:${s.id}`;
    if (s.kind === 'os') return `os:${s.id}`;
    return 'station';
  }
}

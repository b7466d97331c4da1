import type { SessionState } from '#contract/auth.ts';
import type { StationError } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import type { StationClient } from './client.ts';

/** What the session store needs of a connection: the station's LiveStation, or the plant view's. */
export interface SessionSource {
  readonly client: StationClient;
  onOpen(hook: () => Promise<void>): () => void;
  onEvent(listener: (e: StationEvent) => void): () => void;
}

/** The tab keeps its login across reconnects (and reloads), never across tabs or browser restarts. */
const RESUME_KEY = 'passline.resumeKey';
/** A little past expiresAt, so the station has surely ended the session when we ask. */
const EXPIRY_SLACK_MS = 500;
/** A timer longer than this is split (browsers run longer ones at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionView {
  /** null until the station first answers who this connection is. */
  state: SessionState | null;
  /** The last session ended without a logout (inactivity), shown on the login panel once: whose, when known. */
  endedNote: { name: string | null } | null;
}

export type SessionResult = { ok: true } | { ok: false; error: StationError };

/**
 * Who this connection acts as, from the station: loaded on each connect (resuming this tab's
 * login after a reconnect), changed by login, logout and the first admin's creation, and asked
 * again when the session's idle time runs out. The station checks every command itself; the
 * screens read this only to show the right things.
 */
export class SessionStore {
  private readonly client: StationClient;
  private view: SessionView = { state: null, endedNote: null };
  private readonly listeners = new Set<() => void>();
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(station: SessionSource) {
    this.client = station.client;
    station.onOpen(() => this.connected());
    station.onEvent((e) => {
      // A badge scanned on the operator screen logs this connection in as that operator.
      if (e.kind === 'operator.changed') void this.refresh();
    });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getView = (): SessionView => this.view;

  async login(badge: string, pin: string | undefined): Promise<SessionResult> {
    const r = await this.client.invoke('session.login', { badge: badge.trim(), ...(pin ? { pin } : {}) });
    if (!r.ok) return r;
    this.accept(r.value, null);
    return { ok: true };
  }

  async logout(): Promise<SessionResult> {
    const r = await this.client.invoke('session.logout', {});
    if (!r.ok) return r;
    this.accept(r.value, null);
    return { ok: true };
  }

  async createAdmin(input: { badge: string; name: string; pin: string }): Promise<SessionResult> {
    const r = await this.client.invoke('setup.createAdmin', input);
    if (!r.ok) return r;
    this.accept(r.value, null);
    return { ok: true };
  }

  /** Asks the station again (after a refusal, or when the idle time may have run out). */
  async refresh(): Promise<void> {
    const before = this.view.state?.session;
    const r = await this.client.invoke('session.get', {});
    if (!r.ok) return;
    const ended = before?.kind === 'person' && r.value.session.kind !== 'person';
    this.accept(r.value, ended ? { name: before.name } : this.view.endedNote);
  }

  /** Resumes this tab's login if it had one, else learns what the new connection is. */
  private async connected(): Promise<void> {
    const key = readResumeKey();
    if (key) {
      const r = await this.client.invoke('session.resume', { resumeKey: key });
      if (r.ok) {
        this.accept(r.value, null);
        return;
      }
    }
    const r = await this.client.invoke('session.get', {});
    if (r.ok) this.accept(r.value, key && this.view.state?.session.kind === 'person' ? { name: null } : null);
  }

  private accept(state: SessionState, endedNote: SessionView['endedNote']): void {
    writeResumeKey(state.resumeKey);
    this.view = { state, endedNote };
    this.schedule(state.session.expiresAt);
    for (const l of this.listeners) l();
  }

  private schedule(expiresAt: string | null): void {
    clearTimeout(this.expiryTimer);
    if (!expiresAt) return;
    const wait = Date.parse(expiresAt) - Date.now() + EXPIRY_SLACK_MS;
    this.expiryTimer = setTimeout(() => void this.refresh(), Math.max(0, Math.min(wait, MAX_TIMER_MS)));
  }
}

function readResumeKey(): string | null {
  try {
    return sessionStorage.getItem(RESUME_KEY);
  } catch {
    return null;
  }
}

function writeResumeKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(RESUME_KEY, key);
    else sessionStorage.removeItem(RESUME_KEY);
  } catch {
    // Storage refused (private mode): the login lasts as long as the connection.
  }
}

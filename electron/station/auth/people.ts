import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { needsPin, type Person, type Role, type Scope, type TokenInfo } from '#contract/auth.ts';
import { fault, message, type MessageKey, type MessageParams } from '#contract/messages.ts';

/** scrypt cost: ~40 ms a PIN here, so guessing is slow while a login stays quick. */
const SCRYPT = { N: 16_384, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 } as const;
/** Five wrong PINs lock a badge for a minute. */
export const MAX_FAILED_PINS = 5;
export const LOCK_MS = 60_000;

function scryptAsync(pin: string, salt: Buffer, o: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, o.keylen, { N: o.N, r: o.r, p: o.p, maxmem: SCRYPT.maxmem }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash, so they can grow later. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const key = await scryptAsync(pin, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), keylen: want.length });
  return key.length === want.length && timingSafeEqual(key, want);
}

/** A token's secret is 32 random bytes, so a plain sha256 of it is enough to keep (nothing to guess). */
const secretHash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

type Row = Record<string, string | number | null>;

const toPerson = (r: Row): Person => ({
  badge: String(r.badge),
  name: String(r.name),
  role: r.role as Role,
  disabled: r.disabled === 1,
  hasPin: r.pin_hash !== null,
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
  lockedUntil: r.locked_until !== null && String(r.locked_until) > new Date().toISOString() ? String(r.locked_until) : null,
  language: r.language === null || r.language === undefined ? null : String(r.language),
});

const toToken = (r: Row): TokenInfo => ({
  id: String(r.id),
  name: String(r.name),
  scope: r.scope as Scope,
  createdAt: String(r.created_at),
  createdBy: String(r.created_by),
  revokedAt: r.revoked_at === null ? null : String(r.revoked_at),
  lastUsedAt: r.last_used_at === null ? null : String(r.last_used_at),
  lastUsedFrom: r.last_used_from === null ? null : String(r.last_used_from),
});

/** A refused login: why in English (the audit trail) and as a station message (the screens). */
export type LoginCheck = { ok: true; person: Person } | { ok: false; reason: string; badge: string; key: MessageKey; params: MessageParams };

const refused = (badge: string, key: MessageKey, params: MessageParams): LoginCheck => ({ ok: false, badge, reason: message(key, params), key, params });

/**
 * People and API tokens in the station database. The repo checks; the station decides who may
 * call what (access.ts) and writes the audit entries.
 */
export class PeopleRepo {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  private row(badge: string): Row | undefined {
    return this.db.prepare('SELECT * FROM people WHERE badge = ?').get(badge) as Row | undefined;
  }

  get(badge: string): Person | null {
    const r = this.row(badge);
    return r ? toPerson(r) : null;
  }

  list(): Person[] {
    return (this.db.prepare('SELECT * FROM people ORDER BY name, badge').all() as Row[]).map(toPerson);
  }

  hasAdmin(): boolean {
    return this.db.prepare("SELECT 1 FROM people WHERE role = 'admin' AND disabled = 0 LIMIT 1").get() !== undefined;
  }

  async add(p: { badge: string; name: string; role: Role; pin?: string | undefined; language?: string | null | undefined }): Promise<Person> {
    if (needsPin(p.role) && p.pin === undefined) throw fault('invalid-input', 'pinRequired', { context: p.role }, { field: 'pin' }, 'pin');
    if (this.row(p.badge)) throw fault('invalid-input', 'badgeTaken', { badge: p.badge, name: this.get(p.badge)!.name }, { field: 'badge' }, 'badge');
    const pinHash = p.pin !== undefined ? await hashPin(p.pin) : null;
    const at = new Date().toISOString();
    this.db
      .prepare('INSERT INTO people (badge, name, role, pin_hash, language, created_at, updated_at) VALUES (?,?,?,?,?,?,?)')
      .run(p.badge, p.name, p.role, pinHash, p.language ?? null, at, at);
    return this.get(p.badge)!;
  }

  private must(badge: string): Row {
    const r = this.row(badge);
    if (!r) throw fault('not-found', 'badgeNobody', { badge }, { field: 'badge' }, 'badge');
    return r;
  }

  update(
    badge: string,
    change: { name?: string | undefined; role?: Role | undefined; disabled?: boolean | undefined; language?: string | null | undefined },
  ): { before: Person; after: Person } {
    const before = toPerson(this.must(badge));
    const role = change.role ?? before.role;
    if (needsPin(role) && !before.hasPin) throw fault('invalid-input', 'roleNeedsPin', { context: role, name: before.name }, { field: 'role' }, 'role');
    this.db
      .prepare('UPDATE people SET name = ?, role = ?, disabled = ?, language = ?, updated_at = ? WHERE badge = ?')
      .run(
        change.name ?? before.name,
        role,
        (change.disabled ?? before.disabled) ? 1 : 0,
        change.language === undefined ? before.language : change.language,
        new Date().toISOString(),
        badge,
      );
    return { before, after: this.get(badge)! };
  }

  async resetPin(badge: string, pin: string): Promise<Person> {
    this.must(badge);
    const hash = await hashPin(pin);
    this.db
      .prepare('UPDATE people SET pin_hash = ?, failed_pins = 0, locked_until = NULL, updated_at = ? WHERE badge = ?')
      .run(hash, new Date().toISOString(), badge);
    return this.get(badge)!;
  }

  /**
   * A login (or a supervisor's approval) by badge and PIN. Every refusal says why in words a
   * person at the station understands; wrong PINs count towards the lock.
   */
  async check(badge: string, pin: string | undefined, now = Date.now()): Promise<LoginCheck> {
    const r = this.row(badge);
    if (!r) return refused(badge, 'badgeUnknown', { badge });
    const person = toPerson(r);
    if (person.disabled) return refused(badge, 'badgeDisabled', { badge, name: person.name });
    if (person.lockedUntil !== null && Date.parse(person.lockedUntil) > now)
      return refused(badge, 'badgeLocked', { badge, count: MAX_FAILED_PINS, until: person.lockedUntil });
    if (!needsPin(person.role) && r.pin_hash === null) return { ok: true, person };
    if (pin === undefined || pin === '') return refused(badge, 'badgeNeedsPin', { badge, context: person.role });
    if (r.pin_hash !== null && (await verifyPin(pin, String(r.pin_hash)))) {
      if (Number(r.failed_pins) > 0) this.count(badge, 0, null);
      return { ok: true, person };
    }
    const failed = Number(r.failed_pins) + 1;
    const lock = failed >= MAX_FAILED_PINS ? new Date(now + LOCK_MS).toISOString() : null;
    this.count(badge, lock ? 0 : failed, lock);
    return lock ? refused(badge, 'pinWrongLocked', { badge, seconds: LOCK_MS / 1000, count: MAX_FAILED_PINS }) : refused(badge, 'pinWrong', { badge });
  }

  /**
   * Wrong-PIN counting. A database that takes no writes (damaged, full disk) still lets people
   * log in to deal with it; wrong PINs are then not counted (the audit entry still names them).
   */
  private count(badge: string, failed: number, lockedUntil: string | null): void {
    try {
      this.db.prepare('UPDATE people SET failed_pins = ?, locked_until = ? WHERE badge = ?').run(failed, lockedUntil, badge);
    } catch {
      /* read-only: see above */
    }
  }

  // --- API tokens ---

  listTokens(): TokenInfo[] {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at DESC, id').all() as Row[]).map(toToken);
  }

  /** The secret is `pl_<id>_<random>`: the id shows which token a log line means, the rest is the secret. */
  createToken(name: string, scope: Scope, by: string): { token: TokenInfo; secret: string } {
    const id = randomBytes(6).toString('hex');
    const secret = `pl_${id}_${randomBytes(32).toString('base64url')}`;
    this.db
      .prepare('INSERT INTO api_tokens (id, name, scope, secret_hash, created_at, created_by) VALUES (?,?,?,?,?,?)')
      .run(id, name, scope, secretHash(secret), new Date().toISOString(), by);
    return { token: this.token(id)!, secret };
  }

  token(id: string): TokenInfo | null {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row | undefined;
    return r ? toToken(r) : null;
  }

  revokeToken(id: string): TokenInfo {
    const t = this.token(id);
    if (!t) throw fault('not-found', 'tokenUnknown', { id }, { field: 'id' }, 'id');
    if (t.revokedAt === null) this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(new Date().toISOString(), id);
    return this.token(id)!;
  }

  /** The token a secret belongs to, if it is known and not revoked; its use is noted (when, from where). */
  useToken(secret: string, from: string): { ok: true; token: TokenInfo } | { ok: false; reason: string } {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE secret_hash = ?').get(secretHash(secret)) as Row | undefined;
    if (!r) return { ok: false, reason: 'the token is not known on this station' };
    if (r.revoked_at !== null) return { ok: false, reason: `token ${String(r.id)} (${String(r.name)}) was revoked at ${String(r.revoked_at)}` };
    this.db.prepare('UPDATE api_tokens SET last_used_at = ?, last_used_from = ? WHERE id = ?').run(new Date().toISOString(), from, String(r.id));
    return { ok: true, token: toToken(r) };
  }

  /** Still valid? (a token revoked while its connection is open loses it at the next command). */
  tokenActive(id: string): boolean {
    const r = this.db.prepare('SELECT revoked_at FROM api_tokens WHERE id = ?').get(id) as Row | undefined;
    return r !== undefined && r.revoked_at === null;
  }
}

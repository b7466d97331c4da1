import pg from 'pg';
import type { DatabaseSync } from 'node:sqlite';
import { allowedInPlant, PLANT_ACCESS } from '#contract/access.ts';
import { StationFault, toStationError, type Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import { PlantCommands, type PlantCommandName, type PlantEvent, type PlantLine } from '#contract/plant.ts';
import { authHandlers } from '#station/auth/auth-handlers.ts';
import { PeopleRepo } from '#station/auth/people.ts';
import { Sessions, type Caller } from '#station/auth/sessions.ts';
import { AuditLog } from '#station/store/audit.ts';
import { openStore } from '#station/store/db.ts';
import { migrateSchema, SCHEMA_NAME } from '#station/uploader/pg-migrate.ts';
import { isSilent, readLine, readUnit } from './plant-db.ts';

/**
 * The plant process's core: reads the plant database (the schema every station's PostgreSQL
 * target writes), keeps the line's picture, and tells its screens when it changes. Changes come
 * from the database itself: the stations' writes NOTIFY `passline_plant:<schema>` (migration
 * 0003), one LISTEN connection hears them, and the picture is read again at most every
 * REFRESH_MS however many arrive. Its people, tokens and audit trail are its own, in a
 * station-shaped SQLite store in its data folder; logins and roles work as at a station.
 */

export interface PlantOptions {
  databaseUrl: string;
  schema?: string;
  dataDir: string;
  sessionIdleMinutes?: number;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Where the line's "today" starts (default: this process's local midnight). */
  dayStart?: () => Date;
}

export interface Plant {
  invoke(name: string, input: unknown, caller: Caller): Promise<Result<unknown>>;
  readonly bus: { subscribe(listener: (event: StationEvent, json: () => string) => void, afterSeq?: number): () => void; readonly lastSeq: number };
  tokenCaller(secret: string, from: string): Caller | { refused: string };
  readonly openEventsOnLoopback: boolean;
  /** The line as last read (reads it if it never was). */
  line(): Promise<PlantLine>;
  close(): Promise<void>;
}

/** At most this often the line is read again, however many notifications arrive. */
const REFRESH_MS = 200;
/** Silence is looked for this often (a stopped heartbeat sends no notification). */
const SILENCE_CHECK_MS = 1000;
const RING = 500;
const LISTEN_BACKOFF_MS = [250, 500, 1000, 2000, 5000];

const localMidnight = (): Date => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
};

/** Events numbered from the process's start, with a ring for a screen that reconnects. */
class PlantBus {
  private seq = 0;
  private readonly ring: { event: PlantEvent; json: string }[] = [];
  private readonly listeners = new Set<(event: StationEvent, json: () => string) => void>();

  get lastSeq(): number {
    return this.seq;
  }

  publish(e: Omit<PlantEvent, 'seq'>): void {
    const event = { ...e, seq: ++this.seq } as PlantEvent;
    const json = JSON.stringify(event);
    this.ring.push({ event, json });
    if (this.ring.length > RING) this.ring.shift();
    // The server only forwards the JSON; the plant's events are not station events.
    for (const l of this.listeners) l(event as unknown as StationEvent, () => json);
  }

  subscribe(listener: (event: StationEvent, json: () => string) => void, afterSeq?: number): () => void {
    if (afterSeq !== undefined) for (const r of this.ring) if (r.event.seq > afterSeq) listener(r.event as unknown as StationEvent, () => r.json);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export async function createPlant(o: PlantOptions): Promise<Plant> {
  const schema = o.schema ?? 'passline';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`--schema ${schema}: expected a lower-case SQL identifier (letters, digits, _)`);
  const log = o.log ?? ((level, m) => (level === 'info' ? console.log(m) : console.error(m)));
  const dayStart = o.dayStart ?? localMidnight;
  const idleMinutes = o.sessionIdleMinutes ?? 30;

  const { db } = openStore(o.dataDir);
  const people = new PeopleRepo(db);
  const sessions = new Sessions({ idleMinutes: () => idleMinutes, requireBadgeLogin: () => true });
  const auditLog = new AuditLog(db);
  const audit = (actor: string, action: string, details: Record<string, unknown>): void => {
    try {
      auditLog.append({ actor, action, details });
    } catch (e) {
      log('error', `audit trail: ${(e as Error).message}`);
    }
  };
  const auth = authHandlers({ people, sessions, requireBadgeLogin: () => true, audit, operatorChanged: () => {} });

  const pool = new pg.Pool({
    connectionString: o.databaseUrl,
    max: 4,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 15_000,
    application_name: 'passline-plant',
  });
  pool.on('error', (e) => log('warning', `plant database: idle connection lost: ${e.message}`));
  {
    const c = await pool.connect().catch((e: Error) => {
      db.close();
      throw new Error(`cannot reach the plant database: ${e.message}`, { cause: e });
    });
    try {
      const r = await migrateSchema(c, schema, 'plant process');
      if (r.applied.length) log('info', `plant database: schema ${schema} brought from version ${r.from} to ${r.to}`);
    } finally {
      c.release();
    }
  }

  const bus = new PlantBus();
  let current: (PlantLine & { dbNowMs: number; readAtMs: number }) | null = null;
  let lastJson = '';
  let closed = false;

  /** Reads the line; publishes it when anything a screen shows changed. */
  const readNow = async (): Promise<void> => {
    const line = await readLine(pool, schema, dayStart(), bus.lastSeq);
    const { seq: _seq, at: _at, dbNowMs: _now, ...shown } = line;
    const json = JSON.stringify(shown);
    current = { ...line, readAtMs: Date.now() };
    if (json !== lastJson) {
      lastJson = json;
      bus.publish({ kind: 'plant.lineChanged', data: { ...line, seq: bus.lastSeq + 1 } });
      current.seq = bus.lastSeq;
    }
  };

  // Coalesced: one read in flight, one more after it if anything arrived meanwhile, never closer than REFRESH_MS.
  let reading: Promise<void> | null = null;
  let again = false;
  let lastRead = 0;
  const refresh = (): void => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    const wait = Math.max(0, lastRead + REFRESH_MS - Date.now());
    reading = new Promise<void>((r) => setTimeout(r, wait))
      .then(() => {
        lastRead = Date.now();
        return readNow();
      })
      .catch((e: unknown) => log('warning', `plant database: reading the line: ${(e as Error).message}`))
      .finally(() => {
        reading = null;
        if (again) {
          again = false;
          refresh();
        }
      });
  };

  // One LISTEN connection; after a drop it comes back and reads everything again (notifications are not kept for the absent).
  let listener: pg.Client | null = null;
  let listenAttempt = 0;
  let listenTimer: NodeJS.Timeout | undefined;
  const listen = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: o.databaseUrl, application_name: 'passline-plant-listen' });
    const retry = (why: string): void => {
      if (listener === c) listener = null;
      c.removeAllListeners();
      c.on('error', () => {});
      void c.end().catch(() => {});
      if (closed) return;
      const delay = LISTEN_BACKOFF_MS[Math.min(listenAttempt++, LISTEN_BACKOFF_MS.length - 1)]!;
      if (listenAttempt === 1) log('warning', `plant database: live updates lost (${why}); listening again`);
      listenTimer = setTimeout(() => void listen(), delay);
    };
    c.on('error', (e) => retry(e.message));
    c.on('end', () => retry('connection ended'));
    c.on('notification', (n) => {
      try {
        const body = JSON.parse(n.payload ?? '{}') as { t?: string; stations?: string[] | null; serials?: string[] | null };
        if (body.t === 'runs') bus.publish({ kind: 'plant.runsArrived', data: { stations: body.stations ?? null, serials: body.serials ?? null } });
      } catch {
        /* a payload we do not know: the line is read again anyway */
      }
      refresh();
    });
    try {
      await c.connect();
      await c.query(`LISTEN "passline_plant:${schema}"`);
      listener = c;
      if (listenAttempt > 0) log('info', 'plant database: live updates again');
      listenAttempt = 0;
      refresh();
    } catch (e) {
      retry((e as Error).message);
    }
  };
  await listen();
  await readNow().catch((e: unknown) => log('warning', `plant database: reading the line: ${(e as Error).message}`));

  // A heartbeat that stops sends nothing: silence is found by the clock (the database's, as last read).
  const silenceTimer = setInterval(() => {
    if (!current) return;
    const dbNow = current.dbNowMs + (Date.now() - current.readAtMs);
    if (current.stations.some((s) => isSilent(s, dbNow) !== s.silent) || dayStart().toISOString() !== current.dayStart) refresh();
  }, SILENCE_CHECK_MS);
  silenceTimer.unref();

  type Handler = (input: unknown, caller: Caller) => unknown;
  const handlers: Record<PlantCommandName, Handler> = {
    ...(auth as unknown as Record<keyof typeof auth, Handler>),
    'plant.line': async () => {
      if (!current) await readNow();
      const { dbNowMs: _n, readAtMs: _r, ...line } = current!;
      return line;
    },
    'plant.unit': (i) => readUnit(pool, schema, (i as { serialNumber: string }).serialNumber),
  };

  const invoke = async (name: string, input: unknown, caller: Caller): Promise<Result<unknown>> => {
    try {
      if (!Object.hasOwn(PlantCommands, name)) throw new StationFault('invalid-input', `unknown command "${name}"`);
      const cmd = name as PlantCommandName;
      const expired = sessions.expire(caller);
      if (expired) audit(expired.person.badge, 'session.expired', { from: caller.from, idleMinutes });
      if (caller.kind === 'token' && !people.tokenActive(caller.token!.id))
        throw new StationFault('forbidden', `token ${caller.token!.id} (${caller.token!.name}) was revoked: ask an admin for a new one`, {
          needs: PLANT_ACCESS[cmd].scope,
        });
      const may = allowedInPlant(sessions.session(caller), cmd);
      if (!may.ok)
        throw new StationFault('forbidden', expired ? `Your login ended after ${idleMinutes} idle minutes: ${may.message}` : may.message, { needs: may.needs });
      const args: unknown = PlantCommands[cmd].input.parse(input ?? {});
      if (cmd !== 'session.get') sessions.touch(caller);
      return { ok: true, value: await handlers[cmd](args, caller) };
    } catch (e) {
      return { ok: false, error: toStationError(e) };
    }
  };

  return {
    invoke,
    bus,
    tokenCaller: (secret, from) => {
      const r = people.useToken(secret, from);
      return r.ok ? Sessions.token(r.token, from) : { refused: r.reason };
    },
    openEventsOnLoopback: false,
    line: async () => {
      if (!current) await readNow();
      const { dbNowMs: _n, readAtMs: _r, ...line } = current!;
      return line;
    },
    close: async () => {
      closed = true;
      clearInterval(silenceTimer);
      clearTimeout(listenTimer);
      await reading?.catch(() => {});
      const l = listener;
      listener = null;
      if (l) {
        l.removeAllListeners();
        l.on('error', () => {});
        await l.end().catch(() => {});
      }
      await pool.end().catch(() => {});
      closeDb(db);
    },
  };
}

function closeDb(db: DatabaseSync): void {
  try {
    db.close();
  } catch {
    /* closed already */
  }
}

import type pg from 'pg';
import type { PlantAttempt, PlantLine, PlantSocket, PlantStation, PlantUnit, YieldCount } from '#contract/plant.ts';

/**
 * The plant view's reads of the plant database. Each is a few indexed queries: today's runs
 * through runs_started, a serial's life through runs_serial, the failing measurements of its
 * attempts through the measurements' primary key.
 */

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const counts = (r: Row): YieldCount => ({
  runs: Number(r.runs ?? 0),
  passed: Number(r.passed ?? 0),
  failed: Number(r.failed ?? 0),
  errors: Number(r.errors ?? 0),
});

/** Three missed heartbeats make a station silent. */
export const SILENT_AFTER_BEATS = 3;

export function isSilent(s: Pick<PlantStation, 'state' | 'lastSeen' | 'heartbeatSeconds'>, dbNowMs: number): boolean {
  return s.state === 'online' && dbNowMs - Date.parse(s.lastSeen) > SILENT_AFTER_BEATS * s.heartbeatSeconds * 1000;
}

const COUNTS = `count(*)::int AS runs, count(*) FILTER (WHERE outcome = 'PASS')::int AS passed, count(*) FILTER (WHERE outcome = 'FAIL')::int AS failed,
  count(*) FILTER (WHERE outcome IN ('ERROR', 'ABORTED'))::int AS errors`;

/** The line as of now: every station (and every station that sent runs today without its state), its sockets, today's yield. */
export async function readLine(db: pg.Pool, s: string, dayStart: Date, seq: number): Promise<PlantLine & { dbNowMs: number }> {
  const [stations, sockets, byProc] = await Promise.all([
    db.query<Row>(
      `WITH y AS (SELECT station_id, ${COUNTS} FROM ${s}.runs WHERE started_at >= $1 AND outcome <> 'RUNNING' GROUP BY station_id)
       SELECT coalesce(st.id, y.station_id) AS id, coalesce(st.name, y.station_id) AS name, coalesce(st.line, '') AS line, coalesce(st.app_version, '') AS app_version,
         coalesce(st.state, 'unknown') AS state, coalesce(st.heartbeat_s, 10) AS heartbeat_s, coalesce(st.last_seen, now()) AS last_seen, now() AS db_now,
         y.runs, y.passed, y.failed, y.errors
       FROM ${s}.stations st FULL JOIN y ON y.station_id = st.id
       ORDER BY 3, 2, 1`,
      [dayStart],
    ),
    db.query<Row>(
      `SELECT station_id, socket, state, procedure_id, procedure_name, procedure_version, run_id, serial_number, phase, last_outcome, since FROM ${s}.station_sockets ORDER BY station_id, socket`,
    ),
    db.query<Row>(
      `SELECT procedure_id, max(procedure_name) AS procedure_name, ${COUNTS} FROM ${s}.runs WHERE started_at >= $1 AND outcome <> 'RUNNING' GROUP BY procedure_id ORDER BY 2, 1`,
      [dayStart],
    ),
  ]);
  const bySt = new Map<string, PlantSocket[]>();
  for (const r of sockets.rows) {
    const list = bySt.get(String(r.station_id)) ?? [];
    list.push({
      socket: Number(r.socket),
      state: String(r.state),
      procedureId: str(r.procedure_id),
      procedureName: str(r.procedure_name),
      procedureVersion: str(r.procedure_version),
      runId: str(r.run_id),
      serialNumber: str(r.serial_number),
      phase: str(r.phase),
      lastOutcome: str(r.last_outcome),
      since: iso(r.since),
    });
    bySt.set(String(r.station_id), list);
  }
  const dbNowMs = stations.rows[0] ? Date.parse(iso(stations.rows[0].db_now)) : Date.now();
  const list: PlantStation[] = stations.rows.map((r) => {
    const st = {
      id: String(r.id),
      name: String(r.name),
      line: String(r.line),
      appVersion: String(r.app_version),
      state: String(r.state) as PlantStation['state'],
      heartbeatSeconds: Number(r.heartbeat_s),
      lastSeen: iso(r.last_seen),
      sockets: bySt.get(String(r.id)) ?? [],
      today: counts(r),
    };
    return { ...st, silent: isSilent(st, dbNowMs) };
  });
  return {
    seq,
    at: new Date(dbNowMs).toISOString(),
    dayStart: dayStart.toISOString(),
    stations: list,
    byProcedure: byProc.rows.map((r) => ({ procedureId: String(r.procedure_id), procedureName: String(r.procedure_name), ...counts(r) })),
    dbNowMs,
  };
}

/** Attempts shown at most; a unit tested more often than this shows its first ones and says so. */
export const MAX_ATTEMPTS = 500;

/** A unit's whole life across the plant: every attempt at every station, oldest first, with what failed. */
export async function readUnit(db: pg.Pool, s: string, serial: string): Promise<PlantUnit> {
  const runs = await db.query<Row>(
    `SELECT r.id, r.station_id, coalesce(st.name, r.station_id) AS station_name, coalesce(st.line, '') AS line, r.socket, r.procedure_id, r.procedure_name,
       r.procedure_version, r.operator_id, r.started_at, r.ended_at, r.duration_ms, r.outcome, r.outcome_reason
     FROM ${s}.runs r LEFT JOIN ${s}.stations st ON st.id = r.station_id
     WHERE r.serial_number = $1 ORDER BY r.started_at, r.id LIMIT ${MAX_ATTEMPTS + 1}`,
    [serial],
  );
  const rows = runs.rows.slice(0, MAX_ATTEMPTS);
  const failedIds = rows.filter((r) => r.outcome !== 'PASS').map((r) => String(r.id));
  const [failing, now] = await Promise.all([
    failedIds.length
      ? db.query<Row>(
          `SELECT run_id, phase, name, coalesce(value_num::text, value_text, value_bool::text, CASE WHEN value_json IS NOT NULL THEN '(series)' END) AS value, units
           FROM ${s}.measurements WHERE run_id = ANY($1) AND outcome = 'FAIL' ORDER BY run_id, phase_idx, attempt, pos`,
          [failedIds],
        )
      : Promise.resolve({ rows: [] as Row[] }),
    db.query<Row>(
      `SELECT ss.station_id, coalesce(st.name, ss.station_id) AS station_name, ss.socket, ss.phase, ss.since
       FROM ${s}.station_sockets ss JOIN ${s}.stations st ON st.id = ss.station_id
       WHERE ss.serial_number = $1 AND ss.state IN ('running', 'cleanup') AND st.state = 'online' ORDER BY 2, 3`,
      [serial],
    ),
  ]);
  const fails = new Map<string, PlantAttempt['failing']>();
  for (const f of failing.rows) {
    const list = fails.get(String(f.run_id)) ?? [];
    list.push({ phase: String(f.phase), name: String(f.name), value: str(f.value), units: str(f.units) });
    fails.set(String(f.run_id), list);
  }
  return {
    serialNumber: serial,
    truncated: runs.rows.length > MAX_ATTEMPTS,
    attempts: rows.map((r) => ({
      runId: String(r.id),
      stationId: String(r.station_id),
      stationName: String(r.station_name),
      line: String(r.line),
      socket: Number(r.socket),
      procedureId: String(r.procedure_id),
      procedureName: String(r.procedure_name),
      procedureVersion: String(r.procedure_version),
      operatorId: str(r.operator_id),
      startedAt: iso(r.started_at),
      endedAt: r.ended_at === null ? null : iso(r.ended_at),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      outcome: String(r.outcome),
      outcomeReason: str(r.outcome_reason),
      failing: fails.get(String(r.id)) ?? [],
    })),
    testingNow: now.rows.map((r) => ({
      stationId: String(r.station_id),
      stationName: String(r.station_name),
      socket: Number(r.socket),
      phase: str(r.phase),
      since: iso(r.since),
    })),
  };
}

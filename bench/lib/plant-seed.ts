import type pg from 'pg';

/**
 * A plant database as a year of a large plant leaves it, written in SQL (generate_series), so a
 * million runs take seconds: `stations` stations (one socket each, every fifth testing), `runs`
 * runs spread evenly over the last 365 days (the newest today), 4 attempts per serial on
 * average, every 25th run FAIL with one phase and one failing measurement.
 */
export async function seedPlant(c: pg.ClientBase, s: string, o: { runs: number; stations: number; serials: number }): Promise<void> {
  const spanS = 365 * 24 * 3600;
  await c.query(`ALTER TABLE ${s}.runs DISABLE TRIGGER runs_notify`);
  await c.query(`ALTER TABLE ${s}.stations DISABLE TRIGGER stations_notify_insert`);
  await c.query(
    `INSERT INTO ${s}.stations (id, name, line, app_version, sockets, state, heartbeat_s, last_seen, last_seq)
     SELECT 'ST-' || lpad(i::text, 3, '0'), 'Station ' || i, chr(65 + i % 5), '0.1.0', 1, 'online', 10, now(), 1000
     FROM generate_series(0, $1 - 1) AS i`,
    [o.stations],
  );
  await c.query(
    `INSERT INTO ${s}.station_sockets (station_id, socket, state, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, phase, since)
     SELECT 'ST-' || lpad(i::text, 3, '0'), 0, CASE WHEN i % 5 = 0 THEN 'running' ELSE 'idle' END, 'proc-' || i % 5, 'Procedure ' || i % 5, '1.0.0', 'h',
       'SN-' || lpad((i * 7)::text, 7, '0'), CASE WHEN i % 5 = 0 THEN 'rail_3v3' END, now()
     FROM generate_series(0, $1 - 1) AS i`,
    [o.stations],
  );
  await c.query(
    `INSERT INTO ${s}.runs (id, station_id, socket, operator_id, app_version, procedure_id, procedure_name, procedure_version, procedure_hash,
       serial_number, started_at, ended_at, duration_ms, outcome, record)
     SELECT 'run-' || lpad(i::text, 8, '0'), 'ST-' || lpad((i % $2)::text, 3, '0'), 0, 'OP-' || i % 40, '0.1.0', 'proc-' || i % 5, 'Procedure ' || i % 5, '1.0.0', 'h',
       'SN-' || lpad((i % $3)::text, 7, '0'),
       now() - make_interval(secs => ($1 - i) * ${spanS}::double precision / $1), now() - make_interval(secs => ($1 - i) * ${spanS}::double precision / $1 - 20), 20000,
       CASE WHEN i % 25 = 0 THEN 'FAIL' ELSE 'PASS' END, '{}'::jsonb
     FROM generate_series(1, $1) AS i`,
    [o.runs, o.stations, o.serials],
  );
  await c.query(
    `INSERT INTO ${s}.phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, logs)
     SELECT id, 2, 1, 'rail_3v3', 'main', 'FAIL', started_at, started_at, 100, '[]'::jsonb FROM ${s}.runs WHERE outcome = 'FAIL'`,
  );
  await c.query(
    `INSERT INTO ${s}.measurements (run_id, phase_idx, attempt, pos, phase, name, outcome, value_num, units, lower_limit, upper_limit)
     SELECT run_id, 2, 1, 0, 'rail_3v3', 'v_3v3', 'FAIL', 3.05, 'V', 3.2, 3.4 FROM ${s}.phases`,
  );
  await c.query(`ALTER TABLE ${s}.runs ENABLE TRIGGER runs_notify`);
  await c.query(`ALTER TABLE ${s}.stations ENABLE TRIGGER stations_notify_insert`);
  await c.query(`ANALYZE ${s}.runs; ANALYZE ${s}.phases; ANALYZE ${s}.measurements; ANALYZE ${s}.stations; ANALYZE ${s}.station_sockets`);
}

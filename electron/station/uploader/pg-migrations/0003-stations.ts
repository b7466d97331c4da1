import type { PgMigration } from './types.ts';

/**
 * The plant tier: every station's identity, heartbeat and live state (one row per station and
 * per socket), the state changes themselves in order (`station_events`, each (station, seq) once,
 * shipped by uploader/state-shipper.ts), and NOTIFY on the channel `passline_plant:<schema>`
 * whenever runs or station state arrive, so the plant process updates its screens without polling.
 */
export const m0003: PgMigration = {
  version: 3,
  name: 'stations',
  sql: (s) => `
CREATE TABLE ${s}.stations (
  id text PRIMARY KEY,
  name text NOT NULL,
  line text NOT NULL DEFAULT '',
  app_version text NOT NULL,
  boot_id text,
  sockets integer NOT NULL DEFAULT 1,
  state text NOT NULL DEFAULT 'online',
  heartbeat_s integer NOT NULL DEFAULT 10,
  last_seen timestamptz NOT NULL DEFAULT now(),
  last_seq bigint NOT NULL DEFAULT 0,
  last_event_at timestamptz,
  first_seen timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ${s}.station_sockets (
  station_id text NOT NULL REFERENCES ${s}.stations (id) ON DELETE CASCADE,
  socket integer NOT NULL,
  state text NOT NULL,
  procedure_id text,
  procedure_name text,
  procedure_version text,
  procedure_hash text,
  run_id text,
  serial_number text,
  phase text,
  phase_index integer,
  last_outcome text,
  since timestamptz NOT NULL,
  PRIMARY KEY (station_id, socket)
);
CREATE INDEX station_sockets_serial ON ${s}.station_sockets (serial_number) WHERE serial_number IS NOT NULL;
CREATE TABLE ${s}.station_events (
  station_id text NOT NULL,
  seq bigint NOT NULL,
  at timestamptz NOT NULL,
  socket integer,
  kind text NOT NULL,
  run_id text,
  data jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (station_id, seq)
);
CREATE INDEX station_events_at ON ${s}.station_events (at);

-- One notification per statement, never per row: a batch of 25 runs is one message.
CREATE FUNCTION ${s}.notify_runs() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  body text;
BEGIN
  SELECT json_build_object('t', 'runs',
      'stations', (SELECT json_agg(DISTINCT station_id) FROM new_runs),
      'serials', (SELECT json_agg(DISTINCT serial_number) FROM new_runs))::text INTO body;
  -- A payload must stay under 8000 bytes: past that, say which stations only (the screens read again).
  IF octet_length(body) > 7000 THEN
    SELECT json_build_object('t', 'runs', 'stations', (SELECT json_agg(DISTINCT station_id) FROM new_runs), 'serials', NULL)::text INTO body;
  END IF;
  IF octet_length(body) > 7000 THEN
    body := '{"t":"runs","stations":null,"serials":null}';
  END IF;
  PERFORM pg_notify('passline_plant:${s}', body);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER runs_notify AFTER INSERT ON ${s}.runs REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION ${s}.notify_runs();

CREATE FUNCTION ${s}.notify_stations() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  body text;
BEGIN
  SELECT json_build_object('t', 'stations', 'stations', (SELECT json_agg(DISTINCT id) FROM changed))::text INTO body;
  IF octet_length(body) > 7000 THEN
    body := '{"t":"stations","stations":null}';
  END IF;
  PERFORM pg_notify('passline_plant:${s}', body);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER stations_notify_insert AFTER INSERT ON ${s}.stations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${s}.notify_stations();
CREATE TRIGGER stations_notify_update AFTER UPDATE ON ${s}.stations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${s}.notify_stations();
`,
};

import type { PgMigration } from './types.ts';

/** Runs, their phases and measurements: what every station's PostgreSQL target has written since the first version. */
export const m0001: PgMigration = {
  version: 1,
  name: 'runs',
  sql: (s) => `
CREATE TABLE IF NOT EXISTS ${s}.runs (
  id text PRIMARY KEY,
  station_id text NOT NULL,
  socket integer NOT NULL,
  operator_id text,
  app_version text NOT NULL,
  procedure_id text NOT NULL,
  procedure_name text NOT NULL,
  procedure_version text NOT NULL,
  procedure_hash text NOT NULL,
  serial_number text NOT NULL,
  part_number text,
  revision text,
  batch text,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  duration_ms double precision,
  outcome text NOT NULL,
  outcome_reason text,
  record jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS runs_serial ON ${s}.runs (serial_number, started_at);
CREATE INDEX IF NOT EXISTS runs_station ON ${s}.runs (station_id, started_at);
CREATE INDEX IF NOT EXISTS runs_procedure ON ${s}.runs (procedure_id, started_at);
CREATE TABLE IF NOT EXISTS ${s}.phases (
  run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  attempt integer NOT NULL,
  name text NOT NULL,
  grp text NOT NULL,
  outcome text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  failure_code text,
  error jsonb,
  params jsonb,
  logs jsonb NOT NULL,
  PRIMARY KEY (run_id, idx, attempt)
);
CREATE TABLE IF NOT EXISTS ${s}.measurements (
  run_id text NOT NULL,
  phase_idx integer NOT NULL,
  attempt integer NOT NULL,
  pos integer NOT NULL,
  phase text NOT NULL,
  name text NOT NULL,
  outcome text NOT NULL,
  value_num double precision,
  value_text text,
  value_bool boolean,
  value_json jsonb,
  units text,
  lower_limit double precision,
  upper_limit double precision,
  marginal boolean,
  reason text,
  failure_code text,
  validator jsonb,
  PRIMARY KEY (run_id, phase_idx, attempt, pos),
  FOREIGN KEY (run_id, phase_idx, attempt) REFERENCES ${s}.phases (run_id, idx, attempt) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS measurements_name ON ${s}.measurements (name, outcome);
`,
};

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { CalibrationEntry, Identity } from '#contract/instruments.ts';
import type { RunInstrument, RunOverride } from '#contract/records.ts';
import { AuditLog } from './audit.ts';

type Row = Record<string, string | number | null>;

/** What a run was started with, kept beside the run row. */
export interface RunAnnotations {
  overrides?: RunOverride[];
  fixtureId?: string;
  instruments?: RunInstrument[];
  unit?: { dateCode?: string };
  /** What an imported record carried that has no column: the test's description, phases' subtests (by phase index). */
  source?: { description?: string; subtests?: Record<string, string> };
}

/** A serial's history with one procedure, for the retest rules. */
export interface Attempts {
  /** Finished runs (PASS or FAIL) of this serial and procedure. */
  total: number;
  /** FAIL runs since the last PASS (or since the first run). */
  failedSinceLastPass: number;
  lastPassAt: string | null;
}

/** The calibration inventory, run annotations and per-serial attempt counts. */
export class InventoryRepo {
  readonly db: DatabaseSync;
  readonly auditLog: AuditLog;
  private readonly prepared = new Map<string, StatementSync>();
  /** Prepared on first use: a database at an older schema still opens the parts it has. */
  private readonly s: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.auditLog = new AuditLog(db);
    const sql: Record<string, string> = {
      list: 'SELECT * FROM calibration ORDER BY maker, model, serial',
      find: 'SELECT * FROM calibration WHERE maker = ? AND model = ? AND serial = ?',
      upsert: `INSERT INTO calibration (maker, model, serial, due_date, note, updated_at, updated_by) VALUES (?,?,?,?,?,?,?)
        ON CONFLICT (maker, model, serial) DO UPDATE SET due_date = excluded.due_date, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      annotate: 'INSERT OR REPLACE INTO run_annotations (run_id, kind, body, at) VALUES (?,?,?,?)',
      annotations: 'SELECT kind, body FROM run_annotations WHERE run_id = ?',
      history: `SELECT outcome, started_at FROM runs WHERE serial_number = ? AND procedure_id = ? AND outcome IN ('PASS', 'FAIL') ORDER BY started_at DESC`,
    };
    this.s = new Proxy({} as Record<string, StatementSync>, {
      get: (_t, name: string) => {
        let st = this.prepared.get(name);
        if (!st) this.prepared.set(name, (st = db.prepare(sql[name]!)));
        return st;
      },
    });
  }

  listCalibration(): CalibrationEntry[] {
    return (this.s.list!.all() as Row[]).map(toEntry);
  }

  findCalibration(id: Pick<Identity, 'maker' | 'model' | 'serial'>): CalibrationEntry | null {
    const r = this.s.find!.get(id.maker, id.model, id.serial) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  /** Adds or updates an entry; the change is audited with who made it. */
  setCalibration(e: Omit<CalibrationEntry, 'updatedAt' | 'updatedBy'>, by: string): void {
    const at = new Date().toISOString();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const before = this.findCalibration(e);
      this.s.upsert!.run(e.maker, e.model, e.serial, e.dueDate, e.note ?? null, at, by);
      this.auditLog.append({
        at,
        actor: by,
        action: 'calibration.set',
        details: { maker: e.maker, model: e.model, serial: e.serial, dueDate: e.dueDate, before: before?.dueDate ?? null },
      });
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** One entry in the audit trail (store/audit.ts); throws, with the reason, when the trail cannot be written. */
  audit(actor: string, action: string, details: unknown): void {
    this.auditLog.append({ actor, action, details });
  }

  annotate(runId: string, a: RunAnnotations): void {
    const at = new Date().toISOString();
    for (const [kind, body] of Object.entries(a)) if (body !== undefined) this.s.annotate!.run(runId, kind, JSON.stringify(body), at);
  }

  annotations(runId: string): RunAnnotations {
    const out: Record<string, unknown> = {};
    for (const r of this.s.annotations!.all(runId) as Row[]) out[String(r.kind)] = JSON.parse(String(r.body));
    return out as RunAnnotations;
  }

  attempts(serialNumber: string, procedureId: string): Attempts {
    let failed = 0;
    let lastPassAt: string | null = null;
    let total = 0;
    for (const r of this.s.history!.iterate(serialNumber, procedureId) as Iterable<Row>) {
      total++;
      if (lastPassAt === null && r.outcome === 'PASS') lastPassAt = String(r.started_at);
      if (lastPassAt === null && r.outcome === 'FAIL') failed++;
    }
    return { total, failedSinceLastPass: failed, lastPassAt };
  }
}

function toEntry(r: Row): CalibrationEntry {
  return {
    maker: String(r.maker),
    model: String(r.model),
    serial: String(r.serial),
    dueDate: String(r.due_date),
    ...(r.note !== null ? { note: String(r.note) } : {}),
    updatedAt: String(r.updated_at),
    updatedBy: String(r.updated_by),
  };
}

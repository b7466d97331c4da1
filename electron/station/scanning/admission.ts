/**
 * What a unit must pass before a run starts, beyond its serial pattern: the check
 * digit, the retest rules (already passed: the operator confirms; K failures: a
 * supervisor approves) and the calibration of the socket's instruments (past due:
 * a supervisor overrides). Everything overridden is recorded on the run.
 */
import type { Override } from '#contract/commands.ts';
import type { InstrumentStatus } from '#contract/instruments.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { RunInstrument, RunOverride, Unit } from '#contract/records.ts';
import { gs1Problem, unitFieldsFrom } from '#contract/scans.ts';
import { fault, message } from '#contract/messages.ts';
import type { InventoryRepo, RunAnnotations } from '#station/store/inventory-repo.ts';

export interface AdmissionRequest {
  serialNumber: string;
  procedure: ProcedureSummary | null;
  instruments: readonly InstrumentStatus[];
  fixtureId: string | null;
  operatorId?: string | undefined;
  confirmRetest?: boolean | undefined;
  override?: Override | undefined;
}

export interface Admission {
  unit: Partial<Unit>;
  annotations: RunAnnotations;
}

/** Today as YYYY-MM-DD on the station's clock: a due date is good through its own day. */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export function admit(req: AdmissionRequest, inventory: InventoryRepo): Admission {
  const proc = req.procedure;
  const serial = req.serialNumber.trim();
  const annotations: RunAnnotations = {};
  if (req.fixtureId) annotations.fixtureId = req.fixtureId;
  // A serial that does not match is refused by the socket with the expected form.
  if (!proc || !new RegExp(proc.serialPattern).test(serial)) return { unit: {}, annotations };

  if (proc.serialCheckDigit) {
    const group = proc.serialCheckDigit.group;
    const digits = group !== undefined ? (new RegExp(proc.serialPattern).exec(serial)?.groups?.[group] ?? '') : serial;
    const problem = gs1Problem(digits);
    if (problem) throw fault('serial.invalid', problem.key, problem.params, { field: 'serialNumber', checkDigit: 'gs1-mod10' }, `"${serial}"`);
  }
  const fields = unitFieldsFrom(proc.serialPattern, serial);
  const { dateCode, ...unitFields } = fields;
  const unit: Partial<Unit> = { ...unitFields, ...(dateCode !== undefined ? { dateCode } : {}) };
  if (dateCode !== undefined) annotations.unit = { dateCode };

  const at = new Date().toISOString();
  // Checked by the station (badge and PIN of a supervisor) before admission is asked.
  const override = req.override;
  const overrides: RunOverride[] = [];
  const approve = (kind: RunOverride['kind'], message: string, by: string) =>
    overrides.push({ kind, by, at, message, ...(override?.reason !== undefined ? { reason: override.reason } : {}) });

  if (proc.retest) {
    const history = inventory.attempts(serial, proc.id);
    if (proc.retest.flagPassed && history.lastPassAt !== null) {
      const params = { serial, procedure: proc.name, at: history.lastPassAt };
      if (!req.confirmRetest && !override) {
        throw fault('retest.already-passed', 'retestPassed', params, { serialNumber: serial, lastPassAt: history.lastPassAt });
      }
      approve('retest.already-passed', message('retestPassedNote', params), override?.supervisorId ?? req.operatorId ?? 'operator');
    }
    const k = proc.retest.maxFailedAttempts;
    if (k !== undefined && history.failedSinceLastPass >= k) {
      const params = { serial, procedure: proc.name, count: history.failedSinceLastPass, limit: k };
      if (!override) {
        throw fault('retest.limit-reached', 'retestLimit', params, { serialNumber: serial, failed: history.failedSinceLastPass, limit: k });
      }
      approve('retest.limit-reached', message('retestLimitNote', params), override.supervisorId);
    }
  }

  const day = today();
  const used: RunInstrument[] = [];
  const overdue: { instrument: string; maker: string; model: string; serialNumber: string; due: string }[] = [];
  for (const i of req.instruments) {
    if (i.state === 'closed') continue;
    const cal = i.identity ? inventory.findCalibration(i.identity) : null;
    used.push({
      name: i.name,
      address: i.address,
      ...(i.identity ? { maker: i.identity.maker, model: i.identity.model, serial: i.identity.serial } : {}),
      ...(cal ? { calibrationDue: cal.dueDate } : {}),
    });
    if (cal && cal.dueDate < day && i.identity)
      overdue.push({ instrument: i.name, maker: i.identity.maker, model: i.identity.model, serialNumber: i.identity.serial, due: cal.dueDate });
  }
  if (used.length) annotations.instruments = used;
  if (overdue.length) {
    // One instrument (the usual case) in the message's own words; several as a list of the same.
    const one = overdue.length === 1 ? overdue[0]! : null;
    const params = one ?? { list: overdue.map((o) => message('calibrationItem', o)).join('; ') };
    const details = { overdue: overdue.map((o) => message('calibrationItem', o)) };
    if (!override) throw fault('calibration.overdue', one ? 'calibrationOverdue' : 'calibrationOverdueMany', params, details);
    approve('calibration.overdue', message(one ? 'calibrationOverdueNote' : 'calibrationOverdueManyNote', params), override.supervisorId);
  }
  if (overrides.length) annotations.overrides = overrides;
  return { unit, annotations };
}

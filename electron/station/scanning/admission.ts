/**
 * What a unit must pass before a run starts, beyond its serial pattern: the check
 * digit, the retest rules (already passed: the operator confirms; K failures: a
 * supervisor approves) and the calibration of the socket's instruments (past due:
 * a supervisor overrides). Everything overridden is recorded on the run.
 */
import { StationFault } from '#contract/errors.ts';
import type { Override } from '#contract/commands.ts';
import type { InstrumentStatus } from '#contract/instruments.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { RunInstrument, RunOverride, Unit } from '#contract/records.ts';
import { checkGs1, unitFieldsFrom } from '#contract/scans.ts';
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

const describeInstrument = (i: InstrumentStatus): string =>
  i.identity ? `${i.name} (${i.identity.maker} ${i.identity.model}, serial ${i.identity.serial})` : i.name;

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
    const problem = checkGs1(digits);
    if (problem) throw new StationFault('serial.invalid', `"${serial}": ${problem}`, { field: 'serialNumber', checkDigit: 'gs1-mod10' });
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
      const message = `${serial} already passed ${proc.name} on ${history.lastPassAt.slice(0, 10)}.`;
      if (!req.confirmRetest && !override) {
        throw new StationFault('retest.already-passed', `${message} Confirm to test it again.`, { serialNumber: serial, lastPassAt: history.lastPassAt });
      }
      approve('retest.already-passed', message, override?.supervisorId ?? req.operatorId ?? 'operator');
    }
    const k = proc.retest.maxFailedAttempts;
    if (k !== undefined && history.failedSinceLastPass >= k) {
      const message = `${serial} has failed ${proc.name} ${history.failedSinceLastPass} times (limit ${k}).`;
      if (!override) {
        throw new StationFault('retest.limit-reached', `${message} A supervisor must approve another attempt.`, {
          serialNumber: serial,
          failed: history.failedSinceLastPass,
          limit: k,
        });
      }
      approve('retest.limit-reached', message, override.supervisorId);
    }
  }

  const day = today();
  const used: RunInstrument[] = [];
  const overdue: string[] = [];
  for (const i of req.instruments) {
    if (i.state === 'closed') continue;
    const cal = i.identity ? inventory.findCalibration(i.identity) : null;
    used.push({
      name: i.name,
      address: i.address,
      ...(i.identity ? { maker: i.identity.maker, model: i.identity.model, serial: i.identity.serial } : {}),
      ...(cal ? { calibrationDue: cal.dueDate } : {}),
    });
    if (cal && cal.dueDate < day) overdue.push(`${describeInstrument(i)} was due ${cal.dueDate}`);
  }
  if (used.length) annotations.instruments = used;
  if (overdue.length) {
    const message = `Calibration past due: ${overdue.join('; ')}.`;
    if (!override)
      throw new StationFault('calibration.overdue', `${message} A supervisor must override to test with ${overdue.length > 1 ? 'them' : 'it'}.`, { overdue });
    approve('calibration.overdue', message, override.supervisorId);
  }
  if (overrides.length) annotations.overrides = overrides;
  return { unit, annotations };
}

import { useState } from 'react';
import type { ProcedureVersionItem } from '#contract/procedures.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { ListMessages } from '../../components/ListState.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { shortHash } from '../../components/format.ts';

/** Rolling back to a kept version: a reason, then a new change (or a draft when approval is on). */
export function RollbackForm({
  procedureId,
  target,
  onCancel,
  onDone,
}: {
  procedureId: string;
  target: ProcedureVersionItem;
  onCancel(): void;
  onDone(notice: string): void;
}) {
  const client = useStationClient();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card rollback-form"
      aria-label={`Roll back to ${target.version}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim().length < 3) {
          setError('Say why you roll back (a few words)');
          return;
        }
        setBusy(true);
        void client.invoke('procedures.rollback', { procedureId, toHash: target.hash, reason: reason.trim() }).then((r) => {
          setBusy(false);
          if (r.ok)
            onDone(
              r.value.state === 'draft'
                ? `Roll back to ${target.version} awaits a second supervisor's approval.`
                : `Rolled back: ${r.value.version} (the content of ${target.version}) loads on each socket between runs.`,
            );
          else {
            const split = fieldErrors(r.error);
            setError(split.fields.reason ?? null);
            setForm(split.form);
          }
        });
      }}
    >
      <h3 className="editor-block-title">
        Roll back to {target.version} <span className="mono muted">{shortHash(target.hash)}</span>
      </h3>
      <p className="list-meta">Its procedure.yaml is written back as a new version; the history keeps every version.</p>
      <Field
        label="Reason"
        hint="Required. Kept in the audit trail."
        value={reason}
        maxLength={500}
        error={error}
        onChange={(e) => setReason(e.target.value)}
      />
      <ListMessages error={form} />
      <div className="draft-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          Roll back
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

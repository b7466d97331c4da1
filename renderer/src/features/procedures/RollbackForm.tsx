import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  const client = useStationClient();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card rollback-form"
      aria-label={t('procedures.rollbackTo', { version: target.version })}
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim().length < 3) {
          setError(t('procedures.sayWhyRollback'));
          return;
        }
        setBusy(true);
        void client.invoke('procedures.rollback', { procedureId, toHash: target.hash, reason: reason.trim() }).then((r) => {
          setBusy(false);
          if (r.ok)
            onDone(
              r.value.state === 'draft'
                ? t('procedures.rollbackAwaits', { version: target.version })
                : t('procedures.rolledBack', { version: r.value.version, from: target.version }),
            );
          else {
            const split = fieldErrors(t, r.error);
            setError(split.fields.reason ?? null);
            setForm(split.form);
          }
        });
      }}
    >
      <h3 className="editor-block-title">
        {t('procedures.rollbackTo', { version: target.version })} <span className="mono muted">{shortHash(target.hash)}</span>
      </h3>
      <p className="list-meta">{t('procedures.rollbackLead')}</p>
      <Field
        label={t('history.reason')}
        hint={t('procedures.rollbackHint')}
        value={reason}
        maxLength={500}
        error={error}
        onChange={(e) => setReason(e.target.value)}
      />
      <ListMessages error={form} />
      <div className="draft-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('procedures.rollback')}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

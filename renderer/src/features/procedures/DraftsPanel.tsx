import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { ProcedureDraft } from '#contract/procedures.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { shortHash } from '../../components/format.ts';
import { ChangeList } from './ChangeList.tsx';

const KIND_TEXT = {
  edit: 'procedures.kindEdit',
  rollback: 'procedures.kindRollback',
  outside: 'procedures.kindOutside',
} as const satisfies Record<ProcedureDraft['kind'], string>;
const STATE_TEXT = {
  pending: 'procedures.statePending',
  approved: 'procedures.stateApproved',
  rejected: 'procedures.stateRejected',
  superseded: 'procedures.stateSuperseded',
} as const satisfies Record<ProcedureDraft['state'], string>;

/** Changes waiting for a second supervisor, then the ones decided: each with its diff in words, author and reason. */
export function DraftsPanel({ procedureId, refresh, onDecided }: { procedureId: string; refresh: string; onDecided(notice: string): void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [drafts, setDrafts] = useState<ProcedureDraft[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('procedures.drafts', { procedureId }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setDrafts(r.value.drafts);
        setError(null);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, procedureId, refresh, t]);

  const pending = drafts?.filter((d) => d.state === 'pending') ?? null;
  const decided = drafts?.filter((d) => d.state !== 'pending') ?? [];
  return (
    <section className="card procedure-section" aria-labelledby="drafts-title">
      <h2 id="drafts-title" className="section-title">
        {t('procedures.awaiting')}
      </h2>
      <ListMessages error={error} />
      <ListBody items={pending} error={error} empty={t('procedures.nothingWaits')}>
        {(rows) => (
          <div className="drafts">
            {rows.map((d) => (
              <DraftCard key={d.id} draft={d} onDecided={onDecided} />
            ))}
          </div>
        )}
      </ListBody>
      {decided.length > 0 ? (
        <details className="drafts-decided">
          <summary>{t('procedures.decided', { count: decided.length })}</summary>
          {decided.map((d) => (
            <div key={d.id} className="draft draft--decided" role="group" aria-label={`${t(KIND_TEXT[d.kind])} ${d.version}`}>
              <p className="draft-head">
                <span className={`proc-tag proc-tag--${d.state}`}>{t(STATE_TEXT[d.state])}</span>{' '}
                {t('procedures.decidedLine', {
                  kind: t(KIND_TEXT[d.kind]),
                  version: d.version,
                  author: d.author,
                  by: d.decidedBy ?? '—',
                  when: f.dateTime(d.decidedAt ?? undefined),
                })}
                {d.decisionReason ? ` · “${d.decisionReason}”` : ''}
              </p>
              <ChangeList words={d.diff.map((x) => x.words)} />
            </div>
          ))}
        </details>
      ) : null}
    </section>
  );
}

function DraftCard({ draft, onDecided }: { draft: ProcedureDraft; onDecided(notice: string): void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [mode, setMode] = useState<'approve' | 'reject' | null>(null);
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [form, setForm] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (): Promise<void> => {
    setBusy(true);
    const r =
      mode === 'approve'
        ? await client.invoke('procedures.approve', { draftId: draft.id, supervisorId: badge.trim(), pin })
        : await client.invoke('procedures.reject', { draftId: draft.id, reason: reason.trim() });
    setBusy(false);
    if (r.ok) {
      onDecided(
        mode === 'approve'
          ? t('procedures.approvedNotice', { procedure: draft.procedureId, version: draft.version })
          : t('procedures.rejectedNotice', { procedure: draft.procedureId, version: draft.baseVersion }),
      );
      return;
    }
    const split = fieldErrors(t, r.error);
    setFields(split.fields);
    setForm(split.form);
  };

  return (
    <article className={`draft draft--${draft.kind}`} aria-label={`${t(KIND_TEXT[draft.kind])} ${draft.baseVersion} → ${draft.version}`}>
      <header className="draft-head">
        <span className="proc-tag proc-tag--draft">{t(STATE_TEXT[draft.state])}</span>
        <span className="draft-title">
          {t(KIND_TEXT[draft.kind])}: {draft.baseVersion} <span className="mono muted">{shortHash(draft.baseHash)}</span> → {draft.version}
        </span>
      </header>
      <p className="draft-meta">
        {draft.kind === 'outside' ? t('procedures.foundOnDisk') : t('supervisor.by', { who: draft.author })} · {f.dateTime(draft.createdAt)}
        {draft.reason ? (
          <>
            {' '}
            · <Trans i18nKey="procedures.reasonIs" values={{ reason: draft.reason }} components={{ reason: <span className="strong" /> }} />
          </>
        ) : null}
      </p>
      <ChangeList words={draft.diff.map((d) => d.words)} />
      <p className="list-meta">{t('procedures.untilApproved', { version: draft.baseVersion })}</p>
      {mode === null ? (
        <div className="draft-actions">
          <button type="button" className="button button--primary" onClick={() => setMode('approve')}>
            {t('procedures.approve')}
          </button>
          <button type="button" className="button button--secondary" onClick={() => setMode('reject')}>
            {t('procedures.reject')}
          </button>
        </div>
      ) : (
        <form
          className="draft-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {mode === 'approve' ? (
            <>
              <p className="list-meta">{t('procedures.secondSupervisor')}</p>
              <div className="draft-form-fields">
                <Field label={t('approval.badge')} value={badge} autoComplete="off" error={fields.supervisorId} onChange={(e) => setBadge(e.target.value)} />
                <Field label={t('login.pin')} type="password" autoComplete="off" value={pin} error={fields.pin} onChange={(e) => setPin(e.target.value)} />
              </div>
            </>
          ) : (
            <Field label={t('procedures.whyRejected')} value={reason} maxLength={500} error={fields.reason} onChange={(e) => setReason(e.target.value)} />
          )}
          <ListMessages error={form} />
          <div className="draft-actions">
            <button type="submit" className={`button ${mode === 'approve' ? 'button--primary' : 'button--danger'}`} disabled={busy}>
              {mode === 'approve' ? t('procedures.approveChange') : t('procedures.rejectChange')}
            </button>
            <button type="button" className="button button--secondary" onClick={() => setMode(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </article>
  );
}

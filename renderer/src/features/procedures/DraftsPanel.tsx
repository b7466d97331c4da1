import { useEffect, useState } from 'react';
import type { ProcedureDraft } from '#contract/procedures.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { formatDateTime, shortHash } from '../../components/format.ts';
import { ChangeList } from './ChangeList.tsx';

const KIND_TEXT: Record<ProcedureDraft['kind'], string> = { edit: 'Change', rollback: 'Roll back', outside: 'Changed outside the app' };
const STATE_TEXT: Record<ProcedureDraft['state'], string> = {
  pending: 'Awaiting approval',
  approved: 'Approved',
  rejected: 'Rejected',
  superseded: 'Superseded',
};

/** Changes waiting for a second supervisor, then the ones decided: each with its diff in words, author and reason. */
export function DraftsPanel({ procedureId, refresh, onDecided }: { procedureId: string; refresh: string; onDecided(notice: string): void }) {
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
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, procedureId, refresh]);

  const pending = drafts?.filter((d) => d.state === 'pending') ?? null;
  const decided = drafts?.filter((d) => d.state !== 'pending') ?? [];
  return (
    <section className="card procedure-section" aria-labelledby="drafts-title">
      <h2 id="drafts-title" className="section-title">
        Changes awaiting approval
      </h2>
      <ListMessages error={error} />
      <ListBody items={pending} error={error} empty="Nothing waits for approval.">
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
          <summary>Decided changes ({decided.length})</summary>
          {decided.map((d) => (
            <div key={d.id} className="draft draft--decided" role="group" aria-label={`${KIND_TEXT[d.kind]} ${d.version}`}>
              <p className="draft-head">
                <span className={`proc-tag proc-tag--${d.state}`}>{STATE_TEXT[d.state]}</span> {KIND_TEXT[d.kind]} → {d.version} · by {d.author} · decided by{' '}
                {d.decidedBy ?? '—'} {formatDateTime(d.decidedAt ?? undefined)}
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
          ? `Approved: ${draft.procedureId} ${draft.version} loads on each socket between runs.`
          : `Rejected: ${draft.procedureId} stays on ${draft.baseVersion}.`,
      );
      return;
    }
    const split = fieldErrors(r.error);
    setFields(split.fields);
    setForm(split.form);
  };

  return (
    <article className={`draft draft--${draft.kind}`} aria-label={`${KIND_TEXT[draft.kind]} ${draft.baseVersion} → ${draft.version}`}>
      <header className="draft-head">
        <span className="proc-tag proc-tag--draft">{STATE_TEXT[draft.state]}</span>
        <span className="draft-title">
          {KIND_TEXT[draft.kind]}: {draft.baseVersion} <span className="mono muted">{shortHash(draft.baseHash)}</span> → {draft.version}
        </span>
      </header>
      <p className="draft-meta">
        {draft.kind === 'outside' ? 'Found on disk' : <>By {draft.author}</>} · {formatDateTime(draft.createdAt)}
        {draft.reason ? (
          <>
            {' '}
            · Reason: <span className="strong">{draft.reason}</span>
          </>
        ) : null}
      </p>
      <ChangeList words={draft.diff.map((d) => d.words)} />
      <p className="list-meta">Until it is approved, the sockets keep running {draft.baseVersion}.</p>
      {mode === null ? (
        <div className="draft-actions">
          <button type="button" className="button button--primary" onClick={() => setMode('approve')}>
            Approve…
          </button>
          <button type="button" className="button button--secondary" onClick={() => setMode('reject')}>
            Reject…
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
              <p className="list-meta">A second supervisor approves: not the one who made the change.</p>
              <div className="draft-form-fields">
                <Field label="Supervisor badge" value={badge} autoComplete="off" error={fields.supervisorId} onChange={(e) => setBadge(e.target.value)} />
                <Field label="PIN" type="password" autoComplete="off" value={pin} error={fields.pin} onChange={(e) => setPin(e.target.value)} />
              </div>
            </>
          ) : (
            <Field label="Why it is rejected" value={reason} maxLength={500} error={fields.reason} onChange={(e) => setReason(e.target.value)} />
          )}
          <ListMessages error={form} />
          <div className="draft-actions">
            <button type="submit" className={`button ${mode === 'approve' ? 'button--primary' : 'button--danger'}`} disabled={busy}>
              {mode === 'approve' ? 'Approve change' : 'Reject change'}
            </button>
            <button type="button" className="button button--secondary" onClick={() => setMode(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </article>
  );
}

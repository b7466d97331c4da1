import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditFilter } from '#contract/audit.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { KNOWN_ACTIONS } from './audit-text.ts';

/** The form's values: text as typed, days as yyyy-mm-dd (local). */
export interface FilterForm {
  actor: string;
  action: string;
  procedureId: string;
  from: string;
  to: string;
}

export const EMPTY_FILTERS: FilterForm = { actor: '', action: '', procedureId: '', from: '', to: '' };

/** Local midnight of a yyyy-mm-dd day (plus some days), as ISO; undefined when not a day. */
function dayStart(day: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString();
}

/** The station's filter: `to` is the day after the last day asked for (exclusive). */
export function toFilter(f: FilterForm): AuditFilter {
  const q: AuditFilter = {};
  if (f.actor.trim()) q.actor = f.actor.trim();
  if (f.action.trim()) q.action = f.action.trim();
  if (f.procedureId.trim()) q.procedureId = f.procedureId.trim();
  const from = dayStart(f.from);
  const to = dayStart(f.to, 1);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

interface Props {
  value: FilterForm;
  onApply(f: FilterForm): void;
}

export function AuditFilters({ value, onApply }: Props) {
  const { t } = useTranslation();
  const [f, setF] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof FilterForm, v: string): void => setF((old) => ({ ...old, [k]: v }));
  return (
    <form
      className="audit-filters"
      aria-label={t('audit.filterLabel')}
      onSubmit={(e) => {
        e.preventDefault();
        if (f.from && f.to && f.to < f.from) {
          setError(t('audit.toBeforeFrom'));
          return;
        }
        setError(null);
        onApply(f);
      }}
    >
      <div className="filter">
        <label htmlFor="audit-actor">{t('audit.who')}</label>
        <input
          id="audit-actor"
          value={f.actor}
          onChange={(e) => set('actor', e.target.value)}
          placeholder={t('audit.whoPlaceholder')}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="filter">
        <label htmlFor="audit-action">{t('audit.what')}</label>
        <input
          id="audit-action"
          value={f.action}
          onChange={(e) => set('action', e.target.value)}
          list="audit-actions"
          placeholder={t('audit.whatPlaceholder')}
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div className="filter">
        <label htmlFor="audit-procedure">{t('history.procedure')}</label>
        <input id="audit-procedure" value={f.procedureId} onChange={(e) => set('procedureId', e.target.value)} autoComplete="off" spellCheck={false} />
      </div>
      <div className="filter">
        <label htmlFor="audit-from">{t('history.from')}</label>
        <DateInput id="audit-from" value={f.from} onChange={(e) => set('from', e.target.value)} />
      </div>
      <div className="filter">
        <label htmlFor="audit-to">{t('history.to')}</label>
        <DateInput id="audit-to" value={f.to} onChange={(e) => set('to', e.target.value)} aria-invalid={error ? true : undefined} />
      </div>
      <div className="row-actions audit-filter-actions">
        <button type="submit" className="button button--primary">
          {t('audit.filter')}
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            setF(EMPTY_FILTERS);
            setError(null);
            onApply(EMPTY_FILTERS);
          }}
        >
          {t('audit.clear')}
        </button>
      </div>
      {error ? (
        <p className="field-error audit-filter-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

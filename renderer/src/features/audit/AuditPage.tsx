import { useTranslation } from 'react-i18next';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AuditEntry } from '#contract/audit.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { useFormat } from '../../i18n/use-format.ts';
import { errorText } from '../../i18n/errors.ts';
import { AuditFilters, EMPTY_FILTERS, toFilter, type FilterForm } from './AuditFilters.tsx';
import { EntryDetail } from './EntryDetail.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { VerifyChain } from './VerifyChain.tsx';
import { actorText, summaryOf } from './audit-text.ts';
import './audit.css';

const PAGE = 50;

/** The audit trail for supervisors: filter, open an entry to its diff, export, verify the chain. */
export function AuditPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const filter = useMemo(() => toFilter(form), [form]);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());

  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    void client.invoke('audit.list', { ...filter, limit: PAGE }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setEntries(r.value.entries);
        setMore(r.value.entries.length === PAGE);
        setError(null);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, filter, t]);

  const older = async (): Promise<void> => {
    const last = entries?.at(-1);
    if (!last) return;
    setLoadingOlder(true);
    const r = await client.invoke('audit.list', { ...filter, before: last.seq, limit: PAGE });
    setLoadingOlder(false);
    if (!r.ok) {
      setError(errorText(t, r.error));
      return;
    }
    setEntries((e) => [...(e ?? []), ...r.value.entries]);
    setMore(r.value.entries.length === PAGE);
  };

  const toggle = (seq: number): void =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  const columns: Column<AuditEntry>[] = [
    {
      key: 'when',
      header: t('uploads.when'),
      cell: (e) => (
        <time dateTime={e.at} className="audit-when">
          <span className="audit-when-time">{f.time(e.at)}</span>
          <span className="muted small">{f.date(e.at)}</span>
        </time>
      ),
    },
    {
      key: 'who',
      header: t('audit.who'),
      cell: (e) => {
        const a = actorText(t, e.actor);
        return (
          <>
            <span className="mono">{a.main}</span>
            {a.sub ? <div className="muted small">{a.sub}</div> : null}
          </>
        );
      },
    },
    // The action's name is the trail's own word (what a filter and an export name), not translated.
    { key: 'what', header: t('audit.what'), cell: (e) => <span className="mono audit-action">{e.action}</span> },
    {
      key: 'procedure',
      header: t('history.procedure'),
      cell: (e) => (e.procedureId ? <span className="mono">{e.procedureId}</span> : <span className="muted">—</span>),
    },
    { key: 'summary', header: t('uploads.details'), cell: (e) => <span className="audit-summary">{summaryOf(t, e)}</span> },
    {
      key: 'open',
      header: t('audit.entry'),
      numeric: true,
      cell: (e) => (
        <button
          type="button"
          className="button button--secondary audit-open"
          aria-expanded={open.has(e.seq)}
          aria-label={open.has(e.seq) ? t('audit.closeEntry', { seq: e.seq, action: e.action }) : t('audit.openEntry', { seq: e.seq, action: e.action })}
          onClick={() => toggle(e.seq)}
        >
          #{e.seq} {open.has(e.seq) ? '▴' : '▾'}
        </button>
      ),
    },
  ];

  return (
    <section className="page audit-page" aria-labelledby="audit-title">
      <div className="page-head audit-head">
        <div>
          <h1 id="audit-title" ref={heading} tabIndex={-1}>
            {t('audit.title')}
          </h1>
          <p className="list-meta">{t('audit.lead')}</p>
        </div>
        <div className="audit-tools">
          <VerifyChain />
        </div>
      </div>
      <AuditFilters
        value={form}
        onApply={(f) => {
          setEntries(null);
          setOpen(new Set());
          setForm(f);
        }}
      />
      <ExportButtons filter={filter} />
      <ListMessages error={error} />
      <ListBody items={entries} error={error} empty={t('audit.none')}>
        {(rows) => (
          <>
            <DataTable
              label={t('audit.entries')}
              columns={columns}
              rows={rows}
              rowKey={(e) => String(e.seq)}
              detail={(e) => (open.has(e.seq) ? <EntryDetail entry={e} /> : null)}
            />
            <div className="audit-paging">
              <span className="list-meta">{t('audit.shown', { count: rows.length, n: f.count(rows.length) })}</span>
              {more ? (
                <button type="button" className="button button--secondary" disabled={loadingOlder} onClick={() => void older()}>
                  {loadingOlder ? t('common.loading') : t('audit.older')}
                </button>
              ) : null}
            </div>
          </>
        )}
      </ListBody>
    </section>
  );
}

import { useEffect, useState, type ReactNode } from 'react';
import { useStationClient } from '../api/station-context.tsx';
import type { StatsQuery } from '../router.ts';
import { DateInput } from './DateInput.tsx';
import './StatsFilters.css';

interface Props {
  /** What is shown now, with the procedure the page settled on. */
  query: StatsQuery & { procedureId: string };
  /** A changed filter: the page puts it in its address. */
  onApply(q: StatsQuery): void;
  /** The page's own filters (group by, measurement), after these. */
  children?: ReactNode;
}

/**
 * The statistics screens' filters: procedure, procedure version, and a range of local days.
 * Each change applies at once (a select, a whole date); the address keeps them, so a link or a
 * reload shows the same figures.
 */
export function StatsFilters({ query, onApply, children }: Props) {
  const client = useStationClient();
  const [procedures, setProcedures] = useState<{ id: string; name: string | null }[]>([]);
  const [versions, setVersions] = useState<{ procedureId: string; list: string[] } | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('procedures.list', {}).then((r) => {
      if (live && r.ok) setProcedures(r.value.procedures.map((p) => ({ id: p.id, name: p.name })));
    });
    return () => {
      live = false;
    };
  }, [client]);
  useEffect(() => {
    let live = true;
    void client.invoke('procedures.versions', { procedureId: query.procedureId }).then((r) => {
      // Newest first; an edit without a bump shares its version string with the one before.
      if (live && r.ok) setVersions({ procedureId: query.procedureId, list: [...new Set(r.value.versions.map((v) => v.version).reverse())] });
    });
    return () => {
      live = false;
    };
  }, [client, query.procedureId]);
  const known = procedures.some((p) => p.id === query.procedureId) ? procedures : [{ id: query.procedureId, name: null }, ...procedures];
  const versionList = versions?.procedureId === query.procedureId ? versions.list : [];
  const withVersion = query.version && !versionList.includes(query.version) ? [query.version, ...versionList] : versionList;
  const rangeWrong = query.from && query.to && query.to < query.from;
  return (
    <form className="filters stats-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <div className="filter stats-procedure-filter">
        <label htmlFor="stats-procedure">Procedure</label>
        <select
          id="stats-procedure"
          className="stats-procedure"
          value={query.procedureId}
          onChange={(e) => onApply({ ...query, procedureId: e.target.value, version: undefined })}
        >
          {known.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name ? `${p.name} (${p.id})` : p.id}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor="stats-version">Version</label>
        <select id="stats-version" value={query.version ?? ''} onChange={(e) => onApply({ ...query, version: e.target.value || undefined })}>
          <option value="">All versions</option>
          {withVersion.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor="stats-from">From</label>
        <DayField key={`from-${query.from ?? ''}`} id="stats-from" value={query.from} onDay={(from) => onApply({ ...query, from })} />
      </div>
      <div className="filter">
        <label htmlFor="stats-to">To</label>
        <DayField key={`to-${query.to ?? ''}`} id="stats-to" value={query.to} onDay={(to) => onApply({ ...query, to })} invalid={Boolean(rangeWrong)} />
        {rangeWrong ? (
          <span className="field-error filter-error" role="alert" id="stats-to-error">
            The end date is before the start date.
          </span>
        ) : null}
      </div>
      {children}
    </form>
  );
}

/** A day field that applies a whole date (or an emptied field), not each key of one being typed. */
function DayField({ id, value, onDay, invalid = false }: { id: string; value: string | undefined; onDay(day: string | undefined): void; invalid?: boolean }) {
  const [draft, setDraft] = useState(value ?? '');
  return (
    <DateInput
      id={id}
      value={draft}
      onChange={(e) => {
        const v = e.target.value;
        setDraft(v);
        if (v === '') onDay(undefined);
        else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) onDay(v);
      }}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${id}-error` : undefined}
    />
  );
}

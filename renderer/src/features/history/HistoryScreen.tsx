import { use, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { CommandInput, CommandOutput } from '#contract/commands.ts';
import type { Result, StationError } from '#contract/errors.ts';
import type { RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { useSession } from '../../api/session-context.tsx';
import { canSee } from '#contract/access.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { RunSummaryCells } from '../../components/RunSummaryCells.tsx';
import { overlayHref, runHref, unitHref } from '../../router.ts';
import { HISTORY_PAGE as PAGE, peekFirstPage, takeFirstPage } from '../../early.ts';
import './history.css';

/** Rows in History's first frame: more than a 1080p screen shows. */
const FIRST_ROWS = 20;

/** What the supervisor typed or picked; applied (debounced) to `runs.list`. */
interface Filters {
  serial: string;
  outcome: string;
  partNumber: string;
  procedureId: string;
  operatorId: string;
  /** yyyy-mm-dd from the date inputs, local days. */
  from: string;
  to: string;
}
type FilterField = keyof Filters;

const EMPTY: Filters = { serial: '', outcome: '', partNumber: '', procedureId: '', operatorId: '', from: '', to: '' };
const OUTCOMES = [
  ['', 'history.anyResult'],
  ['PASS', 'outcome.pass'],
  ['FAIL', 'outcome.fail'],
  ['ERROR', 'outcome.error'],
  ['ABORTED', 'outcome.aborted'],
  ['RUNNING', 'outcome.running'],
] as const;

/** A local calendar day as the ISO instant it starts at (the date input gives yyyy-mm-dd). */
function dayStart(day: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString();
}

type ListInput = CommandInput<'runs.list'>;

/** The `runs.list` filter fields; "to" is the whole chosen day (the station's `to` is exclusive). */
function toQuery(f: Filters): Omit<ListInput, 'limit' | 'before'> {
  const q: Omit<ListInput, 'limit' | 'before'> = {};
  if (f.serial.trim()) q.serial = f.serial.trim();
  if (f.outcome) q.outcome = f.outcome as NonNullable<ListInput['outcome']>;
  if (f.partNumber.trim()) q.partNumber = f.partNumber.trim();
  if (f.procedureId.trim()) q.procedureId = f.procedureId.trim();
  if (f.operatorId.trim()) q.operatorId = f.operatorId.trim();
  const from = dayStart(f.from);
  const to = dayStart(f.to, 1);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

interface ListError {
  /** The filter the station named, if any: the message shows next to it. */
  field: FilterField | null;
  /** The station's refusal; null: the end date before the start date, found here. */
  error: StationError | null;
}

const FIELDS: readonly FilterField[] = ['serial', 'outcome', 'partNumber', 'procedureId', 'operatorId', 'from', 'to'];

/** Which filter an error is about: details.field, a validation issue's path, or the message's "field: …" prefix. */
function fieldOf(error: StationError): FilterField | null {
  const d = error.details as { field?: unknown } | { path?: unknown[] }[] | undefined;
  let name: unknown;
  if (Array.isArray(d)) name = d[0]?.path?.[0];
  else if (d && typeof d === 'object' && 'field' in d) name = d.field;
  if (typeof name !== 'string') name = /^(\w+):/.exec(error.message)?.[1];
  return FIELDS.includes(name as FilterField) ? (name as FilterField) : null;
}

interface State {
  /** Which search (filters and refresh) these runs answer. */
  key: string | null;
  runs: RunSummary[];
  /** The last page came back full: there may be older runs. */
  more: boolean;
  loadingMore: boolean;
  error: ListError | null;
}

/** Which search (filters and refresh count) a list answers. */
const listKey = (queryKey: string, refresh: number): string => `${queryKey}\u0000${refresh}`;

function answered(key: string, r: Result<CommandOutput<'runs.list'>>): State {
  return r.ok
    ? { key, runs: r.value.runs, more: r.value.runs.length === PAGE, loadingMore: false, error: null }
    : { key, runs: [], more: false, loadingMore: false, error: { field: fieldOf(r.error), error: r.error } };
}

/** Recent runs, newest first, filtered by serial prefix, result, part, procedure, operator and dates, paged by start time. */
export function HistoryScreen({ runsEnded }: { runsEnded: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const role = useSession().state?.session.role ?? null;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // The first page asked for on the way here (early.ts): the screen waits for it (Suspense, at
  // most a second), so it renders once, with its rows, instead of empty and then again.
  const pending = peekFirstPage();
  const first = pending ? (pending.arrived ?? use(pending.answer)) : null;
  const [state, setState] = useState<State>(() =>
    first ? answered(listKey('{}', runsEnded), first) : { key: null, runs: [], more: false, loadingMore: false, error: null },
  );
  /** Once the operator pages further, the list stops refreshing itself at that run count. */
  const [pinned, setPinned] = useState<number | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // The first frame shows a screenful of rows; the rest of the page follows in the next task.
  const [allRows, setAllRows] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setAllRows(true), 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // Debounce typing; a scanner's Enter applies at once (see onSubmit).
  useEffect(() => {
    const t = setTimeout(() => {
      setFilters(draft);
      setPinned(null);
    }, 250);
    return () => clearTimeout(t);
  }, [draft]);

  const query = toQuery(filters);
  const queryKey = JSON.stringify(query);
  // An end day before the start day is caught here, next to "To", before asking the station.
  const rangeError: ListError | null = query.from && query.to && query.to <= query.from ? { field: 'to', error: null } : null;

  // First page: on open, on a new search, and when a run ends (unless the operator paged further).
  const key = listKey(queryKey, pinned ?? runsEnded);
  const blocked = rangeError !== null;
  useEffect(() => {
    if (blocked) return;
    let live = true;
    const ask = () => client.invoke('runs.list', { limit: PAGE, ...(JSON.parse(queryKey) as typeof query) });
    const early = queryKey === '{}' ? takeFirstPage() : null;
    void (early ? early.answer.then((r) => r ?? ask()) : ask()).then((r) => {
      // The start-up answer may already be on screen (the first render's state): then nothing changes.
      if (live) setState((s) => (s.key === key && r === early?.arrived ? s : answered(key, r)));
    });
    return () => {
      live = false;
    };
    // `key` carries the filters and the refresh trigger.
  }, [client, key, queryKey, blocked]);
  const loading = !rangeError && (state.key !== key || state.loadingMore);
  const error = rangeError ?? state.error;
  const runs = rangeError ? [] : state.runs;
  const filtered = queryKey !== '{}';
  const onlySerial = Boolean(query.serial) && queryKey === JSON.stringify({ serial: query.serial });

  const loadMore = async (): Promise<void> => {
    const last = state.runs.at(-1);
    if (!last) return;
    setState((s) => ({ ...s, loadingMore: true }));
    const r = await client.invoke('runs.list', { limit: PAGE, before: last.startedAt, ...query });
    if (r.ok) {
      setPinned(pinned ?? runsEnded);
      setState((s) => {
        const seen = new Set(s.runs.map((x) => x.id));
        return {
          key: listKey(queryKey, pinned ?? runsEnded),
          runs: [...s.runs, ...r.value.runs.filter((x) => !seen.has(x.id))],
          more: r.value.runs.length === PAGE,
          loadingMore: false,
          error: null,
        };
      });
    } else setState((s) => ({ ...s, loadingMore: false, error: { field: fieldOf(r.error), error: r.error } }));
  };

  const messageOf = (e: ListError): string => (e.error ? errorText(t, e.error) : t('history.endBeforeStart'));
  const set = (field: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  /** The station's message under the filter it names. */
  const errorFor = (field: FilterField) =>
    error?.field === field ? (
      <span className="field-error filter-error" role="alert" id={`history-${field}-error`}>
        {messageOf(error)}
      </span>
    ) : null;
  const describedBy = (field: FilterField) => (error?.field === field ? `history-${field}-error` : undefined);

  return (
    <section className="page" aria-labelledby="history-title">
      <div className="page-head">
        <h1 id="history-title" ref={heading} tabIndex={-1}>
          {t('history.title')}
        </h1>
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters(draft);
            setPinned(null);
          }}
        >
          <label htmlFor="history-search">{t('history.search')}</label>
          <input
            id="history-search"
            type="search"
            value={draft.serial}
            onChange={set('serial')}
            placeholder={t('history.searchPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={error?.field === 'serial' || undefined}
            aria-describedby={describedBy('serial')}
          />
          {errorFor('serial')}
        </form>
      </div>
      <form
        className="filters"
        aria-label={t('history.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setPinned(null);
        }}
      >
        <div className="filter">
          <label htmlFor="history-outcome">{t('history.result')}</label>
          <select id="history-outcome" value={draft.outcome} onChange={set('outcome')} aria-describedby={describedBy('outcome')}>
            {OUTCOMES.map(([value, label]) => (
              <option key={value} value={value}>
                {t(label)}
              </option>
            ))}
          </select>
          {errorFor('outcome')}
        </div>
        {(
          [
            ['partNumber', 'history.partNumber'],
            ['procedureId', 'history.procedureId'],
            ['operatorId', 'history.operator'],
          ] as const
        ).map(([field, label]) => (
          <div className="filter" key={field}>
            <label htmlFor={`history-${field}`}>{t(label)}</label>
            <input
              id={`history-${field}`}
              type="text"
              className="mono"
              value={draft[field]}
              onChange={set(field)}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error?.field === field || undefined}
              aria-describedby={describedBy(field)}
            />
            {errorFor(field)}
          </div>
        ))}
        {(
          [
            ['from', 'history.from'],
            ['to', 'history.to'],
          ] as const
        ).map(([field, label]) => (
          <div className="filter" key={field}>
            <label htmlFor={`history-${field}`}>{t(label)}</label>
            <DateInput
              id={`history-${field}`}
              value={draft[field]}
              onChange={set(field)}
              aria-invalid={error?.field === field || undefined}
              aria-describedby={describedBy(field)}
            />
            {errorFor(field)}
          </div>
        ))}
        {JSON.stringify(draft) !== JSON.stringify(EMPTY) ? (
          <button
            type="button"
            className="button button--secondary filter-clear"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
              setPinned(null);
            }}
          >
            {t('history.clearFilters')}
          </button>
        ) : null}
        {/* Enter in a field applies at once. */}
        <button type="submit" hidden tabIndex={-1} />
      </form>
      {canSee(role, 'overlay') ? (
        <p className="history-overlay">
          <a
            href={overlayHref({
              procedureId: query.procedureId,
              partNumber: query.partNumber,
              outcome: query.outcome === 'PASS' || query.outcome === 'FAIL' ? query.outcome : undefined,
              last: 50,
            })}
          >
            {query.partNumber || query.procedureId ? 'Overlay the series of the last 50 of these runs' : 'Overlay the series of many runs…'}
          </a>
        </p>
      ) : null}
      {error && error.field === null ? (
        <p className="field-error" role="alert">
          {messageOf(error)}
        </p>
      ) : null}
      <p className="list-meta" role="status">
        {error
          ? ''
          : loading && runs.length === 0
            ? t('history.loading')
            : runs.length === 0
              ? onlySerial
                ? t('history.noSerial', { serial: query.serial })
                : filtered
                  ? t('history.noMatch')
                  : t('history.none')
              : t(query.serial ? (onlySerial ? 'history.countSerial' : 'history.countSerialFiltered') : filtered ? 'history.countFiltered' : 'history.count', {
                  count: runs.length,
                  n: `${f.count(runs.length)}${state.more ? '+' : ''}`,
                  serial: query.serial,
                })}
      </p>
      {runs.length > 0 ? (
        <table className="runs" aria-label={t('history.runs')}>
          <thead>
            <tr>
              <th scope="col">{t('history.serial')}</th>
              <th scope="col">{t('history.result')}</th>
              <th scope="col">{t('history.started')}</th>
              <th scope="col" className="num">
                {t('history.duration')}
              </th>
              <th scope="col">{t('history.procedure')}</th>
              <th scope="col">{t('history.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {(allRows ? runs : runs.slice(0, FIRST_ROWS)).map((run) => (
              <tr
                key={run.id}
                className={`run-row run-row--${run.outcome.toLowerCase()}`}
                onClick={(e) => {
                  // The serial's link is the keyboard path; the whole row is a mouse target.
                  if (!(e.target instanceof HTMLAnchorElement)) location.hash = runHref(run.id);
                }}
              >
                <th scope="row">
                  <a className="mono run-link" href={runHref(run.id)}>
                    {run.serialNumber}
                  </a>{' '}
                  <a className="unit-link small" href={unitHref(run.serialNumber)} title={t('history.everyAttempt', { serial: run.serialNumber })}>
                    {t('history.allAttempts')}
                  </a>
                </th>
                <RunSummaryCells run={run} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {state.more && !rangeError ? (
        <div className="load-more">
          <button type="button" className="button button--secondary" onClick={() => void loadMore()} disabled={loading}>
            {loading ? t('common.loading') : t('history.loadMore')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

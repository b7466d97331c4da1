import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';
import type { RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { RunSummaryCells } from '../../components/RunSummaryCells.tsx';
import { runHref } from '../../router.ts';

/** The last attempt's outcome, in the sentence over the list ("latest: pass"). */
const LATEST = {
  PASS: 'unit.latestPass',
  FAIL: 'unit.latestFail',
  ERROR: 'unit.latestError',
  ABORTED: 'unit.latestAborted',
  RUNNING: 'unit.latestRunning',
} as const;

/** Every attempt of one serial number, oldest first: how a unit got to where it is. */
export function UnitPage({ serial, runsEnded }: { serial: string; runsEnded: number }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // Reloads when a run ends: the unit may just have been tested again.
  useEffect(() => {
    let live = true;
    void client.invoke('units.history', { serialNumber: serial }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setRuns(r.value.runs);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, serial, runsEnded]);

  const last = runs?.at(-1);
  return (
    <section className="page" aria-labelledby="unit-title">
      <a className="back-link" href="#/history">
        {t('run.back')}
      </a>
      <p className="run-kicker">{t('run.unit')}</p>
      <h1 id="unit-title" ref={heading} tabIndex={-1} className="mono run-serial">
        {serial}
      </h1>
      {error ? (
        <p className="field-error" role="alert">
          {errorText(t, error)}
        </p>
      ) : null}
      <p className="list-meta" role="status">
        {runs === null
          ? error
            ? ''
            : t('unit.loading')
          : runs.length === 0
            ? t('unit.none')
            : last
              ? t('unit.countLatest', { count: runs.length, latest: t(LATEST[last.outcome]) })
              : t('unit.count', { count: runs.length })}
      </p>
      {runs && runs.length > 0 ? (
        <table className="runs" aria-label={t('unit.attempts')}>
          <thead>
            <tr>
              <th scope="col">{t('unit.attempt')}</th>
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
            {runs.map((run, i) => (
              <tr
                key={run.id}
                className={`run-row run-row--${run.outcome.toLowerCase()}`}
                onClick={(e) => {
                  // The attempt's link is the keyboard path; the whole row is a mouse target.
                  if (!(e.target instanceof HTMLAnchorElement)) location.hash = runHref(run.id);
                }}
              >
                <th scope="row">
                  <a className="run-link" href={runHref(run.id)}>
                    {t('unit.attemptN', { n: i + 1 })}
                  </a>
                </th>
                <RunSummaryCells run={run} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

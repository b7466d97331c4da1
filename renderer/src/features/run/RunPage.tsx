import { Suspense, lazy, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import { useProcedureText } from '../../i18n/procedure-text.ts';
import { recordedText } from '../../i18n/record-text.ts';
import { GROUP } from '../operator/PhaseList.tsx';
import type { ExportFormat, UploadStatus } from '#contract/upload.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { PhaseRecord, RunRecord } from '#contract/records.ts';
import { failingMeasurementsOf } from './failing.ts';
import { Attachments } from './Attachments.tsx';
import { RunUploads } from './RunUploads.tsx';
import { ProcedureFiles } from './ProcedureFiles.tsx';
import { unitHref } from '../../router.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { MeasurementTable } from '../../components/MeasurementTable.tsx';
import { PhaseErrorNote } from '../../components/PhaseErrorNote.tsx';
import { isPlottable } from '../../components/charts/measurement-series.ts';
import { failingFirst, shortHash } from '../../components/format.ts';

// The chart kit (uPlot) loads only for a run that has a series to plot.
const SeriesPlots = lazy(() => import('./SeriesPlots.tsx').then((m) => ({ default: m.SeriesPlots })));

interface Props {
  runId: string;
  runsEnded: number;
  /** The loaded procedure, for phase titles when the run used the same one. */
  procedure: ProcedureSummary | null;
  /** The station's upload queue status; each change re-reads this run's uploads. */
  upload: UploadStatus | null;
}

/** One run's full record: what a supervisor or test engineer reads after the fact. */
export function RunPage({ runId, runsEnded, procedure, upload }: Props) {
  const { t } = useTranslation();
  const f = useFormat();
  const text = useProcedureText();
  const client = useStationClient();
  const [record, setRecord] = useState<RunRecord | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [exportError, setExportError] = useState<StationError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Reload when a run ends while this one shows RUNNING.
  const refreshKey = record?.outcome === 'RUNNING' ? runsEnded : 0;
  useEffect(() => {
    let live = true;
    void client.invoke('runs.get', { runId }).then((r) => {
      if (!live) return;
      if (r.ok) setRecord(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, runId, refreshKey]);

  const loaded = record !== null || error !== null;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  if (error) {
    return (
      <section className="page" aria-labelledby="run-title">
        <a className="back-link" href="#/history">
          {t('run.back')}
        </a>
        <h1 id="run-title" ref={heading} tabIndex={-1}>
          {t('run.notFound')}
        </h1>
        <p className="field-error">{errorText(t, error)}</p>
      </section>
    );
  }
  if (!record) {
    return (
      <section className="page" aria-busy="true">
        <p className="list-meta">{t('run.loading')}</p>
      </section>
    );
  }

  const sameProcedure = procedure && procedure.id === record.procedure.id && procedure.hash === record.procedure.hash;
  const exportAs = async (format: ExportFormat): Promise<void> => {
    const r = await client.invoke('runs.export', { format, runId });
    if (!r.ok) {
      setExportError(r.error);
      return;
    }
    setExportError(null);
    saveFile(r.value.fileName, r.value.mediaType, r.value.content);
  };
  const titleOf = (name: string): string | undefined => {
    const p = sameProcedure ? procedure.phases.find((x) => x.name === name) : undefined;
    return p ? text(p.title, p.titles) : undefined;
  };
  const failing = failingMeasurementsOf(record.phases);

  return (
    <section className="page run-page" aria-labelledby="run-title">
      <a className="back-link" href="#/history">
        {t('run.back')}
      </a>
      <div className="run-export" role="group" aria-label={t('run.exportLabel')}>
        <span className="list-meta">{t('run.export')}</span>
        {EXPORTS.map(([format, label]) => (
          <button key={format} type="button" className="button button--secondary" onClick={() => void exportAs(format)}>
            {t(label)}
          </button>
        ))}
        {exportError ? <span className="field-error">{errorText(t, exportError)}</span> : null}
      </div>
      <div className={`run-summary run-summary--${record.outcome.toLowerCase()}`}>
        <div className="run-summary-main">
          <p className="run-kicker">{t('run.unit')}</p>
          <h1 id="run-title" ref={heading} tabIndex={-1} className="mono run-serial">
            {record.unit.serialNumber}
          </h1>
          <a className="unit-link" href={unitHref(record.unit.serialNumber)}>
            {t('run.allAttempts')}
          </a>
          <div className="run-outcome">
            <OutcomeBadge outcome={record.outcome} large />
            {record.outcomeReason ? <span className="run-reason">{recordedText(t, f, record.outcomeReason)}</span> : null}
          </div>
        </div>
        <dl className="facts">
          <div className="facts-two">
            <dt>{t('run.procedure')}</dt>
            <dd>
              {record.procedure.name} <span className="muted">{t('header.version', { version: record.procedure.version })}</span>
            </dd>
          </div>
          <div>
            <dt>{t('run.procedureHash')}</dt>
            <dd className="mono" title={record.procedure.hash}>
              {shortHash(record.procedure.hash)}
            </dd>
          </div>
          <div>
            <dt>{t('run.partNumber')}</dt>
            <dd className="mono">{record.unit.partNumber ?? '—'}</dd>
          </div>
          <div>
            <dt>{t('run.operator')}</dt>
            <dd>{record.operatorId ?? '—'}</dd>
          </div>
          <div>
            <dt>{t('run.stationSocket')}</dt>
            <dd>
              {record.stationId} · {record.socket + 1}
            </dd>
          </div>
          <div>
            <dt>{t('run.started')}</dt>
            <dd className="num">{f.dateTime(record.startedAt)}</dd>
          </div>
          <div>
            <dt>{t('run.ended')}</dt>
            <dd className="num">{record.endedAt ? f.dateTime(record.endedAt) : '—'}</dd>
          </div>
          <div>
            <dt>{t('run.duration')}</dt>
            <dd className="num">{f.duration(record.durationMs) || '—'}</dd>
          </div>
          <div className="facts-wide">
            <dt>{t('run.runId')}</dt>
            <dd className="mono small">{record.id}</dd>
          </div>
        </dl>
      </div>

      {failing.length > 0 ? (
        <section className="card card--fail" aria-labelledby="failing-title">
          <h2 id="failing-title" className="section-title">
            {t('result.failingMeasurements')}
          </h2>
          <table className="failing failing--plain" aria-label={t('result.failingMeasurements')}>
            <thead>
              <tr>
                <th scope="col">{t('measurement.name')}</th>
                <th scope="col">{t('run.phase')}</th>
                <th scope="col" className="num">
                  {t('measurement.value')}
                </th>
                <th scope="col">{t('measurement.why')}</th>
              </tr>
            </thead>
            <tbody>
              {failing.map(({ phase, measurement: m }, i) => (
                <tr key={`${phase}-${m.name}-${i}`}>
                  <th scope="row" className="mono">
                    {m.name}
                  </th>
                  <td className="mono">{phase}</td>
                  <td className="num value">
                    {f.value(m.value, m.aggregates)}
                    {m.units ? <span className="units"> {m.units}</span> : null}
                  </td>
                  <td>
                    {m.reason ? recordedText(t, f, m.reason) : m.outcome === 'UNSET' ? t('run.notMeasured') : '—'}
                    {m.failureCode ? <span className="tag tag--fail mono">{m.failureCode}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <RunUploads runId={record.id} upload={upload} running={record.outcome === 'RUNNING'} />

      <ProcedureFiles procedure={record.procedure} />

      <h2 className="section-title phases-title">{t('operator.phases')}</h2>
      <ol className="record-phases" aria-label={t('run.phasesLabel')}>
        {record.phases.map((p) => (
          <RecordPhase
            key={`${p.index}-${p.attempt}`}
            phase={p}
            title={titleOf(p.name)}
            procedureId={record.procedure.id}
            partNumber={record.unit.partNumber}
          />
        ))}
      </ol>
      {record.phases.length === 0 ? <p className="list-meta">{t('run.noPhase')}</p> : null}
    </section>
  );
}

const EXPORTS = [
  ['native', 'run.exportNative'],
  ['ocp', 'run.exportOcp'],
  ['openhtf', 'run.exportOpenhtf'],
] as const satisfies readonly (readonly [ExportFormat, string])[];

/** Log levels in words; the colour of the tag says the same. */
const LEVEL = { debug: 'run.levelDebug', info: 'run.levelInfo', warning: 'run.levelWarning', error: 'run.levelError' } as const;

/** Hands the text to the browser (or Electron) as a download. */
function saveFile(name: string, mediaType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mediaType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function RecordPhase({
  phase,
  title,
  procedureId,
  partNumber,
}: {
  phase: PhaseRecord;
  title: string | undefined;
  procedureId: string;
  partNumber: string | undefined;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const label = title ?? phase.name;
  const params = Object.entries(phase.params ?? {});
  return (
    <li className={`card record-phase record-phase--${phase.outcome.toLowerCase()}`}>
      <div className="phase-head">
        <span className="phase-index" aria-hidden="true">
          {phase.index + 1}
        </span>
        <span className="phase-status">
          <OutcomeBadge outcome={phase.outcome} />
        </span>
        <span className="phase-title">
          <h3 className="phase-title-text">{label}</h3>
          <span className="phase-name mono">
            {phase.name}
            {phase.attempt > 1 ? ` · ${t('phase.attempt', { n: phase.attempt })}` : ''}
            {phase.group !== 'main' ? ` · ${t(GROUP[phase.group])}` : ''}
          </span>
          {params.length > 0 || phase.failureCode ? (
            <span className="phase-tags">
              {params.map(([k, v]) => (
                <span key={k} className="tag mono">
                  {k}={String(v)}
                </span>
              ))}
              {phase.failureCode ? <span className="tag tag--fail mono">{t('run.failureCode', { code: phase.failureCode })}</span> : null}
            </span>
          ) : null}
        </span>
        <span className="phase-duration num">{f.duration(phase.durationMs)}</span>
      </div>
      {phase.error ? <PhaseErrorNote error={phase.error} showStack /> : null}
      {phase.measurements.length > 0 ? (
        <MeasurementTable measurements={failingFirst(phase.measurements)} label={t('phase.measurementsOf', { phase: label })} showReason />
      ) : null}
      {phase.measurements.some(isPlottable) ? (
        <Suspense fallback={<p className="list-meta series-loading">Loading the chart…</p>}>
          <SeriesPlots phase={phase.name} measurements={phase.measurements} procedureId={procedureId} partNumber={partNumber} />
        </Suspense>
      ) : null}
      {phase.logs.length > 0 ? (
        <table className="logs" aria-label={t('run.logOf', { phase: label })}>
          <thead>
            <tr>
              <th scope="col">{t('run.logTime')}</th>
              <th scope="col">{t('run.logLevel')}</th>
              <th scope="col">{t('run.logMessage')}</th>
              <th scope="col">{t('run.logSource')}</th>
            </tr>
          </thead>
          <tbody>
            {phase.logs.map((l, i) => (
              <tr key={i} className={`log log--${l.level}`}>
                <td className="num mono">{f.logTime(l.ts)}</td>
                <td>
                  <span className={`log-level log-level--${l.level}`}>{t(LEVEL[l.level])}</span>
                </td>
                <td className="log-message">{l.message}</td>
                <td className="mono muted">{l.source ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {phase.attachments && phase.attachments.length > 0 ? <Attachments attachments={phase.attachments} label={label} /> : null}
    </li>
  );
}

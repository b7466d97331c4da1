import { Suspense, lazy, useEffect, useRef, useState } from 'react';
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
import { failingFirst, formatDateTime, formatDuration, formatTime, formatValue, shortHash } from '../../components/format.ts';

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
  const client = useStationClient();
  const [record, setRecord] = useState<RunRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Reload when a run ends while this one shows RUNNING.
  const refreshKey = record?.outcome === 'RUNNING' ? runsEnded : 0;
  useEffect(() => {
    let live = true;
    void client.invoke('runs.get', { runId }).then((r) => {
      if (!live) return;
      if (r.ok) setRecord(r.value);
      else setError(r.error.message);
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
          ← History
        </a>
        <h1 id="run-title" ref={heading} tabIndex={-1}>
          Run not found
        </h1>
        <p className="field-error">{error}</p>
      </section>
    );
  }
  if (!record) {
    return (
      <section className="page" aria-busy="true">
        <p className="list-meta">Loading run…</p>
      </section>
    );
  }

  const sameProcedure = procedure && procedure.id === record.procedure.id && procedure.hash === record.procedure.hash;
  const exportAs = async (format: ExportFormat): Promise<void> => {
    const r = await client.invoke('runs.export', { format, runId });
    if (!r.ok) {
      setExportError(r.error.message);
      return;
    }
    setExportError(null);
    saveFile(r.value.fileName, r.value.mediaType, r.value.content);
  };
  const titleOf = (name: string): string | undefined => (sameProcedure ? procedure.phases.find((p) => p.name === name)?.title : undefined);
  const failing = failingMeasurementsOf(record.phases);

  return (
    <section className="page run-page" aria-labelledby="run-title">
      <a className="back-link" href="#/history">
        ← History
      </a>
      <div className="run-export" role="group" aria-label="Export this run">
        <span className="list-meta">Export</span>
        {EXPORTS.map(([format, label]) => (
          <button key={format} type="button" className="button button--secondary" onClick={() => void exportAs(format)}>
            {label}
          </button>
        ))}
        {exportError ? <span className="field-error">{exportError}</span> : null}
      </div>
      <div className={`run-summary run-summary--${record.outcome.toLowerCase()}`}>
        <div className="run-summary-main">
          <p className="run-kicker">Unit</p>
          <h1 id="run-title" ref={heading} tabIndex={-1} className="mono run-serial">
            {record.unit.serialNumber}
          </h1>
          <a className="unit-link" href={unitHref(record.unit.serialNumber)}>
            All attempts of this unit
          </a>
          <div className="run-outcome">
            <OutcomeBadge outcome={record.outcome} large />
            {record.outcomeReason ? <span className="run-reason">{record.outcomeReason}</span> : null}
          </div>
        </div>
        <dl className="facts">
          <div className="facts-two">
            <dt>Procedure</dt>
            <dd>
              {record.procedure.name} <span className="muted">v{record.procedure.version}</span>
            </dd>
          </div>
          <div>
            <dt>Procedure hash</dt>
            <dd className="mono" title={record.procedure.hash}>
              {shortHash(record.procedure.hash)}
            </dd>
          </div>
          <div>
            <dt>Part number</dt>
            <dd className="mono">{record.unit.partNumber ?? '—'}</dd>
          </div>
          <div>
            <dt>Operator</dt>
            <dd>{record.operatorId ?? '—'}</dd>
          </div>
          <div>
            <dt>Station · socket</dt>
            <dd>
              {record.stationId} · {record.socket + 1}
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd className="num">{formatDateTime(record.startedAt)}</dd>
          </div>
          <div>
            <dt>Ended</dt>
            <dd className="num">{record.endedAt ? formatDateTime(record.endedAt) : '—'}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd className="num">{formatDuration(record.durationMs) || '—'}</dd>
          </div>
          <div className="facts-wide">
            <dt>Run id</dt>
            <dd className="mono small">{record.id}</dd>
          </div>
        </dl>
      </div>

      {failing.length > 0 ? (
        <section className="card card--fail" aria-labelledby="failing-title">
          <h2 id="failing-title" className="section-title">
            Failing measurements
          </h2>
          <table className="failing failing--plain" aria-label="Failing measurements">
            <thead>
              <tr>
                <th scope="col">Measurement</th>
                <th scope="col">Phase</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col">Why</th>
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
                    {formatValue(m.value, m.aggregates)}
                    {m.units ? <span className="units"> {m.units}</span> : null}
                  </td>
                  <td>
                    {m.reason ?? (m.outcome === 'UNSET' ? 'not measured' : '—')}
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

      <h2 className="section-title phases-title">Phases</h2>
      <ol className="record-phases" aria-label="Phases of this run">
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
      {record.phases.length === 0 ? <p className="list-meta">No phase ran.</p> : null}
    </section>
  );
}

const EXPORTS: [ExportFormat, string][] = [
  ['native', 'Passline JSON'],
  ['ocp', 'OCP TV (JSON lines)'],
  ['openhtf', 'OpenHTF JSON'],
];

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
            {phase.attempt > 1 ? ` · attempt ${phase.attempt}` : ''}
            {phase.group !== 'main' ? ` · ${phase.group}` : ''}
          </span>
          {params.length > 0 || phase.failureCode ? (
            <span className="phase-tags">
              {params.map(([k, v]) => (
                <span key={k} className="tag mono">
                  {k}={String(v)}
                </span>
              ))}
              {phase.failureCode ? <span className="tag tag--fail mono">failure code {phase.failureCode}</span> : null}
            </span>
          ) : null}
        </span>
        <span className="phase-duration num">{formatDuration(phase.durationMs)}</span>
      </div>
      {phase.error ? <PhaseErrorNote error={phase.error} showStack /> : null}
      {phase.measurements.length > 0 ? (
        <MeasurementTable measurements={failingFirst(phase.measurements)} label={`Measurements of ${label}`} showReason />
      ) : null}
      {phase.measurements.some(isPlottable) ? (
        <Suspense fallback={<p className="list-meta series-loading">Loading the chart…</p>}>
          <SeriesPlots phase={phase.name} measurements={phase.measurements} procedureId={procedureId} partNumber={partNumber} />
        </Suspense>
      ) : null}
      {phase.logs.length > 0 ? (
        <table className="logs" aria-label={`Log of ${label}`}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Level</th>
              <th scope="col">Message</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {phase.logs.map((l, i) => (
              <tr key={i} className={`log log--${l.level}`}>
                <td className="num mono">{formatTime(l.ts)}</td>
                <td>
                  <span className={`log-level log-level--${l.level}`}>{l.level}</span>
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

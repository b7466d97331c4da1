import { useEffect, useState } from 'react';
import type { StatsAlert } from '#contract/stats.ts';
import { useEventTick, useStationClient } from '../../api/station-context.tsx';
import './drift-alerts.css';
import { formatDateTime } from '../../components/format.ts';
import { percent } from '../../components/stats-query.ts';
import { runHref, spcHref, yieldHref } from '../../router.ts';

/**
 * Drift alerts in force: a control-chart rule that fired on a measurement, or first pass yield
 * below its threshold. Read with `stats.alerts`, read again on each `stats.alert` event (raised,
 * updated or cleared), so the list is live without polling.
 */
export function DriftAlerts() {
  const client = useStationClient();
  const tick = useEventTick('stats.alert');
  const [alerts, setAlerts] = useState<StatsAlert[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('stats.alerts', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setAlerts(r.value.alerts);
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, tick]);

  const n = alerts?.length ?? 0;
  return (
    <section className={`card supervisor-section drift-alerts${n > 0 ? ' drift-alerts--on' : ''}`} aria-labelledby="alerts-title">
      <h2 id="alerts-title" className="section-title">
        Drift alerts{n > 0 ? ` · ${n}` : ''}
      </h2>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div aria-live="polite">
        {alerts === null ? (
          error ? null : (
            <p className="list-meta">Loading…</p>
          )
        ) : n === 0 ? (
          <p className="list-meta">No alert: no control rule has fired and first pass yield is above its threshold.</p>
        ) : (
          <ul className="alert-list" aria-label="Drift alerts">
            {alerts.map((a) => (
              <li key={a.id} className={`alert-item alert-item--${a.kind}`}>
                <span className="alert-kind">{a.kind === 'rule' ? `Rule ${a.rule ?? ''}` : 'Yield'}</span>
                <div className="alert-body">
                  <p className="alert-message">{a.message}</p>
                  <p className="alert-meta">
                    <span className="mono">{a.procedureId}</span>
                    {a.sockets.length ? ` · socket${a.sockets.length === 1 ? '' : 's'} ${a.sockets.map((s) => s + 1).join(', ')}` : ''}
                    {a.kind === 'yield' && a.value !== null ? ` · first pass yield ${percent(a.value)} (alert below ${percent(a.threshold)})` : ''}
                  </p>
                  <p className="alert-meta">
                    Since <a href={runHref(a.sinceRunId)}>{formatDateTime(a.since)}</a>, last <a href={runHref(a.lastRunId)}>{formatDateTime(a.lastAt)}</a>
                  </p>
                </div>
                <a
                  className="button button--secondary alert-open"
                  href={a.kind === 'rule' && a.measurement ? spcHref({ procedureId: a.procedureId }, a.measurement) : yieldHref({ procedureId: a.procedureId })}
                >
                  {a.kind === 'rule' ? 'Open SPC' : 'Open yield'}
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { useFormat } from '../../i18n/use-format.ts';
import { runHref } from '../../router.ts';

const COUNT = 5;

/** The last few units on this socket: the operator sees at a glance how the line is going. */
export function RecentUnits({ socket, runsEnded }: { socket: number; runsEnded: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);

  useEffect(() => {
    let live = true;
    // A few extra, since the list is for every socket and we show this one's.
    void client.invoke('runs.list', { limit: COUNT * 4 }).then((r) => {
      if (live && r.ok) setRuns(r.value.runs.filter((x) => x.socket === socket && x.outcome !== 'RUNNING').slice(0, COUNT));
    });
    return () => {
      live = false;
    };
  }, [client, socket, runsEnded]);

  if (!runs || runs.length === 0) return null;
  return (
    <section className="recent" aria-labelledby={`recent-${socket}`}>
      <div className="section-head section-head--compact">
        <h2 id={`recent-${socket}`} className="section-title">
          {t('operator.recentUnits')}
        </h2>
        <a href="#/history" className="section-link">
          {t('operator.allHistory')}
        </a>
      </div>
      <ul className="recent-list">
        {runs.map((r) => (
          <li key={r.id}>
            <a href={runHref(r.id)} className="recent-row">
              <span className="mono recent-serial">{r.serialNumber}</span>
              <span className="recent-time num">{f.time(r.startedAt)}</span>
              <OutcomeBadge outcome={r.outcome} />
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

import type { LimitChange } from '#contract/stats.ts';
import { formatDateTime } from '../../components/format.ts';

const FIELD: Record<string, string> = {
  lower: 'lower limit',
  upper: 'upper limit',
  lowerInclusive: 'lower limit inclusive',
  upperInclusive: 'upper limit inclusive',
  marginalLower: 'lower marginal bound',
  marginalUpper: 'upper marginal bound',
};

const show = (v: unknown): string => (v === null || v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));

/** The measurement's limit changes, newest last: when, who (from the audit trail), what and why. */
export function LimitChanges({ changes, units }: { changes: readonly LimitChange[]; units: string | null }) {
  if (changes.length === 0) return null;
  const u = units ? ` ${units}` : '';
  return (
    <section className="card spc-changes" aria-labelledby="spc-changes-title">
      <h2 id="spc-changes-title" className="section-title">
        Limit changes
      </h2>
      <p className="list-meta">Each is a vertical line on the control chart; the figures above are computed per limit version.</p>
      <ol className="spc-change-list">
        {changes.map((c, i) => (
          <li key={`${c.at}-${i}`}>
            <span className="num strong">{formatDateTime(c.at)}</span>
            <span>
              {c.changes.map((x) => `${FIELD[x.field] ?? x.field} ${show(x.before)} → ${show(x.after)}${typeof x.after === 'number' ? u : ''}`).join('; ') ||
                'limits changed'}
            </span>
            <span className="muted">
              {c.source === 'audit' ? `by ${c.actor ?? 'unknown'} (audit entry ${c.auditSeq ?? '?'})` : 'seen in the data (before the audit trail)'}
              {c.reason ? ` · “${c.reason}”` : ''}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

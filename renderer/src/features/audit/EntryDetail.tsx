import type { AuditEntry } from '#contract/audit.ts';
import { detailsWithoutDiff, diffOf, valueText } from './audit-text.ts';

/** An entry opened: what changed (path, before → after), its other details, and its place in the chain. */
export function EntryDetail({ entry }: { entry: AuditEntry }) {
  const diff = diffOf(entry);
  const rest = detailsWithoutDiff(entry);
  return (
    <div className="audit-detail" role="region" aria-label={`Entry ${entry.seq}`}>
      {diff.length > 0 ? (
        <table className="audit-diff" aria-label={`Changes in entry ${entry.seq}`}>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col" aria-hidden="true" />
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {diff.map((d) => (
              <tr key={d.path}>
                <th scope="row" className="mono">
                  {d.path}
                </th>
                <td className={`audit-diff-before${'before' in d ? '' : ' audit-diff-none'}`}>
                  <code>{valueText(d.before)}</code>
                </td>
                <td className="audit-diff-arrow" aria-hidden="true">
                  →
                </td>
                <td className={`audit-diff-after${'after' in d ? '' : ' audit-diff-none'}`}>
                  <code>{valueText(d.after)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rest ? null : (
        <p className="muted audit-detail-nodiff">This entry holds no details beyond who, what and when.</p>
      )}
      {rest ? (
        <dl className="audit-detail-facts">
          {Object.entries(rest).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="mono">{valueText(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <p className="audit-detail-hash muted small mono">
        entry {entry.seq} · hash {entry.hash.slice(0, 16)}… · after {entry.prevHash.slice(0, 16)}…
      </p>
    </div>
  );
}

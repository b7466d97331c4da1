import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '#contract/audit.ts';
import { detailsWithoutDiff, diffOf, valueText } from './audit-text.ts';

/** An entry opened: what changed (path, before → after), its other details, and its place in the chain. */
export function EntryDetail({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const diff = diffOf(entry);
  const rest = detailsWithoutDiff(entry);
  return (
    <div className="audit-detail" role="region" aria-label={t('audit.entryN', { seq: entry.seq })}>
      {diff.length > 0 ? (
        <table className="audit-diff" aria-label={t('audit.changesIn', { seq: entry.seq })}>
          <thead>
            <tr>
              <th scope="col">{t('audit.field')}</th>
              <th scope="col">{t('audit.before')}</th>
              <th scope="col" aria-hidden="true" />
              <th scope="col">{t('audit.after')}</th>
            </tr>
          </thead>
          <tbody>
            {diff.map((d) => (
              <tr key={d.path}>
                <th scope="row" className="mono">
                  {d.path}
                </th>
                <td className={`audit-diff-before${'before' in d ? '' : ' audit-diff-none'}`}>
                  <code>{valueText(t, d.before)}</code>
                </td>
                <td className="audit-diff-arrow" aria-hidden="true">
                  →
                </td>
                <td className={`audit-diff-after${'after' in d ? '' : ' audit-diff-none'}`}>
                  <code>{valueText(t, d.after)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rest ? null : (
        <p className="muted audit-detail-nodiff">{t('audit.noDetails')}</p>
      )}
      {rest ? (
        <dl className="audit-detail-facts">
          {Object.entries(rest).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="mono">{valueText(t, v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <p className="audit-detail-hash muted small mono">
        {t('audit.chain', { seq: entry.seq, hash: entry.hash.slice(0, 16), prev: entry.prevHash.slice(0, 16) })}
      </p>
    </div>
  );
}

import { Trans, useTranslation } from 'react-i18next';
import type { StationSnapshot } from '#contract/commands.ts';
import { useFormat } from '../i18n/use-format.ts';
import { recordedText } from '../i18n/record-text.ts';

type Database = StationSnapshot['database'];

/** A database problem is not a procedure problem: its own title, what happened, what was saved, where the file is. */
const TITLE = {
  salvaged: 'database.salvagedTitle',
  damaged: 'database.damagedTitle',
  'newer-version': 'database.newerTitle',
  unavailable: 'database.unavailableTitle',
} as const satisfies Record<Exclude<Database['state'], 'ok'>, string>;

const NEXT = {
  salvaged: 'database.salvagedNext',
  damaged: 'database.damagedNext',
  'newer-version': 'database.newerNext',
  unavailable: 'database.unavailableNext',
} as const satisfies Record<Exclude<Database['state'], 'ok'>, string>;

export function DatabaseNotice({ database }: { database: Database }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (database.state === 'ok') return null;
  const s = database.state;
  return (
    <section className={`database-notice database-notice--${s === 'salvaged' ? 'warn' : 'bad'}`} role="alert" aria-labelledby="database-notice-title">
      <h2 id="database-notice-title">{t(TITLE[s])}</h2>
      {database.runs ? (
        <p className="database-notice-counts">
          {database.runs.unreadable
            ? t('database.countsUnreadable', {
                saved: f.count(database.runs.salvaged),
                count: database.runs.total,
                total: f.count(database.runs.total),
                unreadable: f.count(database.runs.unreadable),
              })
            : t('database.counts', { saved: f.count(database.runs.salvaged), count: database.runs.total, total: f.count(database.runs.total) })}
        </p>
      ) : null}
      {/* After a salvage the counts and the file say it all; the full message (with SQLite's words) is in the log and audit trail. */}
      {database.message && !(database.runs && database.aside) ? <p className="database-notice-message">{recordedText(t, f, database.message)}</p> : null}
      {database.aside ? (
        <p className="database-notice-aside">
          <Trans i18nKey="database.aside" values={{ file: database.aside }} components={{ file: <span className="mono" /> }} />
        </p>
      ) : null}
      <p className="database-notice-next">{t(NEXT[s])}</p>
    </section>
  );
}

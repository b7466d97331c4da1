import type { StationSnapshot } from '#contract/commands.ts';

type Database = StationSnapshot['database'];

/** A database problem is not a procedure problem: its own title, what happened, what was saved, where the file is. */
const TITLE: Record<Exclude<Database['state'], 'ok'>, string> = {
  salvaged: 'The station database was damaged: what could be read was saved',
  damaged: 'The station database is damaged: no new unit can be tested',
  'newer-version': 'The station database is from a newer Passline: no unit can be tested',
  unavailable: 'The station database cannot be opened: no unit can be tested',
};

const NEXT: Record<Exclude<Database['state'], 'ok'>, string> = {
  salvaged: 'Testing goes on. Tell the supervisor; keep the damaged file for the test engineer.',
  damaged: 'Ask the supervisor to restart the station: it saves what can still be read into a new database.',
  'newer-version': 'Ask the supervisor to update Passline on this station. The file is left as it is.',
  unavailable: 'Ask the supervisor to look at the station computer.',
};

export function DatabaseNotice({ database }: { database: Database }) {
  if (database.state === 'ok') return null;
  const s = database.state;
  return (
    <section className={`database-notice database-notice--${s === 'salvaged' ? 'warn' : 'bad'}`} role="alert" aria-labelledby="database-notice-title">
      <h2 id="database-notice-title">{TITLE[s]}</h2>
      {database.runs ? (
        <p className="database-notice-counts">
          {database.runs.salvaged} of {database.runs.total} runs saved
          {database.runs.unreadable ? `, ${database.runs.unreadable} could not be read` : ''}
        </p>
      ) : null}
      {/* After a salvage the counts and the file say it all; the full message (with SQLite's words) is in the log and audit trail. */}
      {database.message && !(database.runs && database.aside) ? <p className="database-notice-message">{database.message}</p> : null}
      {database.aside ? (
        <p className="database-notice-aside">
          Damaged file kept as <span className="mono">{database.aside}</span>
        </p>
      ) : null}
      <p className="database-notice-next">{NEXT[s]}</p>
    </section>
  );
}

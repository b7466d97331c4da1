import type { StationError } from '#contract/errors.ts';

/** The station has no runnable procedure: say why, with file:line, instead of asking for a serial. */
export function ProcedureErrorPanel({ error }: { error: StationError }) {
  return (
    <section className="procedure-error" role="alert" aria-labelledby="procedure-error-title">
      <h2 id="procedure-error-title">The test procedure could not be loaded</h2>
      <p>No unit can be tested until it is fixed. Ask the test engineer to correct the file below: the station loads it again as soon as it is saved.</p>
      <pre className="procedure-error-message">{error.message}</pre>
      <p className="procedure-error-kind mono">{error.kind}</p>
    </section>
  );
}

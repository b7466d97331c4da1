import { phaseErrorLabel } from '#contract/format.ts';
import type { PhaseError } from '#contract/records.ts';

/**
 * Why a phase did not finish as it should: what happened, in words, and where in the
 * procedure's code ("phases.ts:12"), so the test engineer opens the right line. The run
 * page adds the stack.
 */
export function PhaseErrorNote({ error, showStack = false }: { error: PhaseError; showStack?: boolean }) {
  return (
    <div className="phase-error">
      <strong>{phaseErrorLabel(error.kind)}:</strong> {error.message}
      {error.source ? (
        <span className="phase-error-source">
          {' '}
          at <code className="mono">{error.source}</code>
        </span>
      ) : null}
      {showStack && error.stack ? (
        <details>
          <summary>Stack trace</summary>
          <pre>{error.stack}</pre>
        </details>
      ) : null}
    </div>
  );
}

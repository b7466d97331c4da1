import type { WedgeScanState } from './use-wedge-scanner.ts';

/** The operator logged in by badge, and what the last badge or fixture scan did (or why it was refused). */
export function ScanStatus({ scan }: { scan: WedgeScanState }) {
  const { operatorId, last } = scan;
  if (!operatorId && !last) return null;
  return (
    <section className="scan-status" aria-label="Scanner">
      {operatorId ? (
        <p className="field-hint" data-testid="operator">
          Operator <span className="mono strong">{operatorId}</span>
        </p>
      ) : null}
      {last ? (
        last.ok ? (
          <p className="field-hint" role="status">
            Scanned <span className="mono">{last.text}</span>: {last.message}
          </p>
        ) : (
          <p className="field-error" role="alert">
            <span className="field-error-icon" aria-hidden="true">
              !
            </span>
            <span>
              Scan <span className="mono">{last.text}</span> refused: {last.message}
            </span>
          </p>
        )
      ) : null}
    </section>
  );
}

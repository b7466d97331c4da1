import type { Scan } from '#contract/scans.ts';
import type { WedgeScanState } from './use-wedge-scanner.ts';

/**
 * The operator logged in by badge, what the last badge or fixture scan did (or why a scan
 * was refused), and a serial scanner's last refused scan.
 */
export function ScanStatus({ scan, scannerRefusal }: { scan: WedgeScanState; scannerRefusal?: Scan | null }) {
  const { operatorId, last } = scan;
  if (!operatorId && !last && !scannerRefusal) return null;
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
      {scannerRefusal ? (
        <p className="field-error" role="alert" data-testid="scanner-refusal">
          <span className="field-error-icon" aria-hidden="true">
            !
          </span>
          <span>
            Scanner {scannerRefusal.source}: <span className="mono">{scannerRefusal.text}</span> refused: {scannerRefusal.message ?? 'no reason given'}
          </span>
        </p>
      ) : null}
    </section>
  );
}

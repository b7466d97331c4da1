import { Trans, useTranslation } from 'react-i18next';
import type { Scan } from '#contract/scans.ts';
import { errorText } from '../i18n/errors.ts';
import type { WedgeScanState } from './use-wedge-scanner.ts';

/**
 * The operator logged in by badge, what the last badge or fixture scan did (or why a scan
 * was refused), and a serial scanner's last refused scan.
 */
export function ScanStatus({ scan, scannerRefusal }: { scan: WedgeScanState; scannerRefusal?: Scan | null }) {
  const { t } = useTranslation();
  const { operatorId, last } = scan;
  if (!operatorId && !last && !scannerRefusal) return null;
  const code = { code: <span className="mono" /> };
  return (
    <section className="scan-status" aria-label={t('scan.label')}>
      {operatorId ? (
        <p className="field-hint" data-testid="operator">
          <Trans i18nKey="scan.operator" values={{ id: operatorId }} components={{ id: <span className="mono strong" /> }} />
        </p>
      ) : null}
      {last ? (
        last.ok ? (
          <p className="field-hint" role="status">
            <Trans i18nKey="scan.scanned" values={{ text: last.text, message: last.message }} components={code} />
          </p>
        ) : (
          <p className="field-error" role="alert">
            <span className="field-error-icon" aria-hidden="true">
              !
            </span>
            <span>
              <Trans i18nKey="scan.refused" values={{ text: last.text, message: last.message }} components={code} />
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
            <Trans
              i18nKey="scan.scannerRefused"
              values={{
                source: scannerRefusal.source,
                text: scannerRefusal.text,
                message: scannerRefusal.message
                  ? errorText(t, {
                      kind: 'invalid-input',
                      message: scannerRefusal.message,
                      ...(scannerRefusal.key ? { key: scannerRefusal.key, params: scannerRefusal.params ?? {} } : {}),
                    })
                  : t('settings.noReason'),
              }}
              components={code}
            />
          </span>
        </p>
      ) : null}
    </section>
  );
}

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import type { AuditFilter } from '#contract/audit.ts';
import { useStationClient } from '../../api/station-context.tsx';

interface Ready {
  href: string;
  fileName: string;
  count: number;
}

/** The trail as filtered, to a file: the station writes it, the page offers it as a download. */
export function ExportButtons({ filter }: { filter: AuditFilter }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const [ready, setReady] = useState<Ready | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'csv' | 'json' | null>(null);

  // The object URL lives as long as its link.
  useEffect(() => () => (ready ? URL.revokeObjectURL(ready.href) : undefined), [ready]);

  const run = async (format: 'csv' | 'json'): Promise<void> => {
    setBusy(format);
    const r = await client.invoke('audit.export', { ...filter, format });
    setBusy(null);
    if (!r.ok) {
      setError(errorText(t, r.error));
      return;
    }
    setError(null);
    const href = URL.createObjectURL(new Blob([r.value.content], { type: r.value.mediaType }));
    setReady({ href, fileName: r.value.fileName, count: r.value.count });
    // Start the download at once; the link stays for a second try.
    const a = document.createElement('a');
    a.href = href;
    a.download = r.value.fileName;
    a.click();
  };

  return (
    <div className="audit-export">
      <button type="button" className="button button--secondary" disabled={busy !== null} onClick={() => void run('csv')}>
        {busy === 'csv' ? t('audit.exporting') : t('audit.exportCsv')}
      </button>
      <button type="button" className="button button--secondary" disabled={busy !== null} onClick={() => void run('json')}>
        {busy === 'json' ? t('audit.exporting') : t('audit.exportJson')}
      </button>
      {ready ? (
        <a className="audit-export-link" href={ready.href} download={ready.fileName}>
          {ready.fileName} · {t('audit.entriesCount', { count: ready.count })}
        </a>
      ) : null}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

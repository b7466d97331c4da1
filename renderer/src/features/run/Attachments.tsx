import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { Attachment } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';

/** The stored bytes as a Blob of the attachment's media type. */
function toBlob(base64: string, mediaType: string): Blob {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: mediaType || 'application/octet-stream' });
}

/** A phase's files: pictures inline, anything else as a download. */
export function Attachments({ attachments, label }: { attachments: readonly Attachment[]; label: string }) {
  const { t } = useTranslation();
  return (
    <ul className="attachments" aria-label={t('run.attachmentsOf', { phase: label })}>
      {attachments.map((a) => (
        <li key={`${a.sha256}-${a.name}`} className="attachment">
          {a.mediaType.startsWith('image/') ? <AttachedImage attachment={a} /> : <AttachedFile attachment={a} />}
        </li>
      ))}
    </ul>
  );
}

function AttachedImage({ attachment: a }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    void client.invoke('attachments.get', { sha256: a.sha256 }).then((r) => {
      if (!live) return;
      if (r.ok) {
        made = URL.createObjectURL(toBlob(r.value.base64, a.mediaType));
        setUrl(made);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [client, a.sha256, a.mediaType, t]);
  return (
    <figure className="attachment-figure">
      {url ? <img src={url} alt={a.name} className="attachment-image" /> : error ? null : <p className="list-meta">{t('run.loadingFile', { name: a.name })}</p>}
      <figcaption>
        <span className="mono">{a.name}</span> <span className="muted">· {f.size(a.size)}</span>
        {error ? (
          <span className="field-error" role="alert">
            {error}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

function AttachedFile({ attachment: a }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('attachments.get', { sha256: a.sha256 });
    setBusy(false);
    if (!r.ok) {
      setError(errorText(t, r.error));
      return;
    }
    setError(null);
    const url = URL.createObjectURL(toBlob(r.value.base64, a.mediaType));
    const link = document.createElement('a');
    link.href = url;
    link.download = a.name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <div className="attachment-file">
      <button
        type="button"
        className="button button--secondary"
        onClick={() => void download()}
        disabled={busy}
        aria-label={t('run.downloadName', { name: a.name })}
      >
        {busy ? t('run.downloading') : t('run.download')}
      </button>
      <span className="mono">{a.name}</span>
      <span className="muted">
        {a.mediaType || t('run.file')} · {f.size(a.size)}
      </span>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

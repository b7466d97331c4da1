import { useTranslation } from 'react-i18next';
import type { StorageState } from '#contract/events.ts';
import { useFormat } from '../../i18n/use-format.ts';
import { recordedText } from '../../i18n/record-text.ts';

const TITLES = {
  full: 'storage.full',
  'read-only': 'storage.readOnly',
  low: 'storage.low',
} as const satisfies Partial<Record<StorageState['state'], string>>;

/** The station's storage state, on top of the sockets: it comes when the disk fills (even mid-run) and goes when space returns. */
export function StorageBanner({ storage }: { storage: StorageState }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (storage.state !== 'full' && storage.state !== 'read-only' && storage.state !== 'low') return null;
  const severe = storage.state !== 'low';
  return (
    <section className={`storage-banner${severe ? ' storage-banner--full' : ''}`} role={severe ? 'alert' : 'status'} aria-labelledby="storage-banner-title">
      <h2 id="storage-banner-title">{t(TITLES[storage.state])}</h2>
      {storage.message ? <p>{recordedText(t, f, storage.message)}</p> : null}
    </section>
  );
}

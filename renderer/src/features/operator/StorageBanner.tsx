import type { StorageState } from '#contract/events.ts';

const TITLES: Partial<Record<StorageState['state'], string>> = {
  full: 'Disk full: no new runs until space is freed',
  'read-only': 'Disk read-only: no new runs until it is writable again',
  low: 'Disk nearly full',
};

/** The station's storage state, on top of the sockets: it comes when the disk fills (even mid-run) and goes when space returns. */
export function StorageBanner({ storage }: { storage: StorageState }) {
  const title = TITLES[storage.state];
  if (!title) return null;
  const severe = storage.state !== 'low';
  return (
    <section className={`storage-banner${severe ? ' storage-banner--full' : ''}`} role={severe ? 'alert' : 'status'} aria-labelledby="storage-banner-title">
      <h2 id="storage-banner-title">{title}</h2>
      {storage.message ? <p>{storage.message}</p> : null}
    </section>
  );
}

import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** What went wrong (read out at once) and what just happened, above a list. */
export function ListMessages({ error, notice }: { error?: string | null | undefined; notice?: string | null | undefined }) {
  return (
    <>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
    </>
  );
}

/**
 * A list that is loading (null), empty, or there: the first two say so in a line, the
 * last is drawn by `children`. While loading after an error, the error says enough.
 */
export function ListBody<T>({
  items,
  error,
  empty,
  children,
}: {
  items: readonly T[] | null;
  error?: string | null | undefined;
  empty: string;
  children: (items: readonly T[]) => ReactNode;
}) {
  if (items === null) return error ? null : <Loading />;
  if (items.length === 0) return <p className="list-meta">{empty}</p>;
  return <>{children(items)}</>;
}

function Loading() {
  const { t } = useTranslation();
  return <p className="list-meta">{t('common.loading')}</p>;
}

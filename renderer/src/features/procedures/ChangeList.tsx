import { useTranslation } from 'react-i18next';

/**
 * A change, field by field ("rail_3v3 · v_3v3 upper 3.4 V → 3.45 V"): the procedure file's own
 * paths and values, as the station words them for the audit trail; not translated.
 */
export function ChangeList({ words, label }: { words: readonly string[]; label?: string }) {
  const { t } = useTranslation();
  return (
    <ul className="change-list" aria-label={label ?? t('procedures.changes')}>
      {words.map((w, i) => (
        <li key={i} className="mono">
          {w}
        </li>
      ))}
    </ul>
  );
}

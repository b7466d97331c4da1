import { useTranslation } from 'react-i18next';
import './SettingsNotice.css';

/**
 * The settings file had mistakes at start: the station runs on the last good value of each
 * field named (or its default when there was none). Loud, because a typo in an upload target
 * would otherwise stop uploads unseen. The operator is told whom to tell; the supervisor sees
 * every field and what was used instead.
 */
export function SettingsNotice({ problems, detailed }: { problems: readonly string[]; detailed: boolean }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  return (
    <section className="database-notice database-notice--warn" role="alert" aria-labelledby="settings-notice-title">
      <h2 id="settings-notice-title">{t('settingsNotice.title', { count: problems.length })}</h2>
      {detailed ? (
        <ul className="settings-notice-list">
          {problems.map((p) => (
            <li key={p} className="mono">
              {p}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="database-notice-next">
        {/* Each line names the file, the field and what is used instead, in the settings' own terms. */}
        {detailed ? t('settingsNotice.detailed') : t('settingsNotice.operator')}
      </p>
    </section>
  );
}

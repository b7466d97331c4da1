import { useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { Settings } from '#contract/settings.ts';
import type { StationError } from '#contract/errors.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { fieldNames, issuesByPath, type Errors } from './settings-form.ts';
import {
  LanguageSection,
  InstrumentsSection,
  ListeningSection,
  LoginsSection,
  RetentionSection,
  RetrySection,
  ScanRoutesSection,
  ScannersSection,
  StationSection,
} from './Sections.tsx';
import { UploadTargetsSection } from './UploadTargetsSection.tsx';
import './settings.css';

type Loaded = CommandOutput<'settings.get'>;
type Outcome = CommandOutput<'settings.update'>;

/**
 * The station's settings, edited by a supervisor: every section on one page, one Save. The
 * station checks the whole change with the settings schema; each refusal is shown beside its
 * field and nothing is saved. After a save the page says what is in force and what waits for a restart.
 */
export function SettingsPage({ onLanguageSaved }: { onLanguageSaved?: (language: string) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // After a refusal, the first field named is brought into view (above the Save bar) and focused.
  useEffect(() => {
    const first = document.querySelector<HTMLElement>('.settings-form [aria-invalid="true"]');
    if (!first) return;
    first.scrollIntoView({ block: 'center' });
    first.focus({ preventScroll: true });
  }, [errors]);

  useEffect(() => {
    let live = true;
    void client.invoke('settings.get', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setLoaded(r.value);
        setDraft(r.value.settings);
      } else setFormError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, tick, t]);

  if (!draft || !loaded)
    return (
      <section className="page settings-page" aria-labelledby="settings-title">
        <h1 id="settings-title" ref={heading} tabIndex={-1}>
          {t('settings.title')}
        </h1>
        {formError ? (
          <p className="field-error" role="alert">
            {formError}
          </p>
        ) : (
          <p className="muted">{t('common.loading')}</p>
        )}
      </section>
    );

  const changed = (Object.keys(draft) as (keyof Settings)[]).filter((k) => JSON.stringify(draft[k]) !== JSON.stringify(loaded.settings[k]));
  const restart = new Set(loaded.restartFields);
  const set = <K extends keyof Settings>(key: K, value: Settings[K]): void => setDraft((d) => (d ? { ...d, [key]: value } : d));
  const props = { draft, set, errors, restart };

  const refuse = (e: StationError): void => {
    const byPath = issuesByPath(t, e);
    setErrors(byPath.fields);
    setFormError(byPath.form);
  };

  const save = async (): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    setFormError(null);
    const changes = Object.fromEntries(changed.map((k) => [k, draft[k]]));
    const r = await client.invoke('settings.update', { changes, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    setBusy(false);
    if (!r.ok) {
      refuse(r.error);
      return;
    }
    setErrors({});
    setReason('');
    setOutcome(r.value);
    setTick((n) => n + 1);
    // This screen shows the station's new language at once; the others at their next look at the station.
    if (r.value.applied.includes('language')) onLanguageSaved?.(draft.language);
  };

  const count = Object.keys(errors).length;
  return (
    <section className="page settings-page" aria-labelledby="settings-title">
      <div className="page-head">
        <div>
          <h1 id="settings-title" ref={heading} tabIndex={-1}>
            {t('settings.title')}
          </h1>
          <p className="list-meta">
            <Trans
              i18nKey="settings.lead"
              values={{ path: loaded.path, restart: t('settings.restart') }}
              components={{ path: <span className="mono" />, restart: <span className="restart-tag" /> }}
            />
          </p>
          {loaded.pendingRestart.length ? (
            <p className="settings-pending" role="status">
              {t('settings.pending', { fields: fieldNames(t, loaded.pendingRestart, f.list) })}
            </p>
          ) : null}
        </div>
      </div>
      <form
        className="settings-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <StationSection {...props} />
        <LanguageSection {...props} />
        <UploadTargetsSection {...props} secrets={loaded.secrets} />
        <RetrySection {...props} />
        <InstrumentsSection {...props} />
        <ScannersSection {...props} />
        <ScanRoutesSection {...props} />
        <RetentionSection {...props} />
        <LoginsSection {...props} />
        <ListeningSection {...props} />
        <div className="settings-save card" aria-live="polite">
          {outcome ? <SaveOutcome outcome={outcome} /> : null}
          {count > 0 ? (
            <p className="field-error" role="alert">
              {t('settings.notSaved', { count })}
            </p>
          ) : null}
          {formError ? (
            <p className="field-error" role="alert">
              {formError}
            </p>
          ) : null}
          {changed.length ? <p className="settings-changed">{t('settings.changed', { fields: fieldNames(t, changed, f.list) })}</p> : null}
          <div className="settings-save-row">
            <Field
              label={t('settings.reason')}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={500}
              autoComplete="off"
              className="settings-reason"
            />
            <button type="submit" className="button button--primary settings-save-button" disabled={busy || changed.length === 0}>
              {busy ? t('settings.saving') : changed.length === 0 ? t('settings.noChanges') : t('settings.save')}
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={busy || changed.length === 0}
              onClick={() => {
                setDraft(loaded.settings);
                setErrors({});
                setFormError(null);
              }}
            >
              {t('settings.undo')}
            </button>
          </div>
        </div>
      </form>
    </section>
  );
}

function SaveOutcome({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  const f = useFormat();
  const names = (keys: string[]) => fieldNames(t, keys, f.list);
  if (outcome.applied.length === 0 && outcome.needsRestart.length === 0) return <p className="settings-outcome">{t('settings.nothingChanged')}</p>;
  return (
    <div className="settings-outcome" role="status">
      {outcome.applied.length ? (
        <p>
          <Trans i18nKey="settings.inForce" values={{ fields: names(outcome.applied) }} components={{ strong: <strong /> }} />
        </p>
      ) : null}
      {outcome.needsRestart.length ? (
        <p>
          <Trans i18nKey="settings.afterRestart" values={{ fields: names(outcome.needsRestart) }} components={{ strong: <strong /> }} />
        </p>
      ) : null}
    </div>
  );
}

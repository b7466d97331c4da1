import { useId, useState, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useStationView } from '../../api/station-context.tsx';
import { errorText } from '../../i18n/errors.ts';
import { languageOptions } from '../../i18n/language.ts';
import type { Settings } from '#contract/settings.ts';
import type { SerialScanner } from '#contract/scans.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, SelectField } from '../../components/Field.tsx';
import { fromNumber, toNumber, type SectionProps } from './settings-form.ts';

/** One section of the Settings page: a title, what it is for, and whether it needs a restart. */
export function SettingsSection({
  id,
  title,
  hint,
  restart,
  children,
}: {
  id: string;
  title: string;
  hint?: ReactNode;
  restart?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <section className="card settings-section" aria-labelledby={`settings-${id}`}>
      <h2 id={`settings-${id}`} className="section-title">
        {title}{' '}
        {restart === true ? (
          <span className="restart-tag">{t('settings.restart')}</span>
        ) : restart === false ? (
          <span className="live-tag">{t('settings.atOnce')}</span>
        ) : null}
      </h2>
      {hint ? <p className="muted settings-hint">{hint}</p> : null}
      {children}
    </section>
  );
}

export function Check({ label, checked, onChange, error }: { label: string; checked: boolean; onChange(v: boolean): void; error?: string | undefined }) {
  const id = useId();
  return (
    <div className="settings-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-invalid={error ? true : undefined} />
      <label htmlFor={id}>{label}</label>
      {error ? (
        <span className="form-field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function StationSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  return (
    <SettingsSection id="station" title={t('header.station')} hint={t('settings.stationHint')}>
      <div className="settings-grid">
        <Field
          label={t('settings.field.stationName')}
          value={draft.stationName}
          onChange={(e) => set('stationName', e.target.value)}
          error={errors['stationName']}
        />
        <Field
          label={t('settings.stationIdRestart')}
          className="mono-input"
          value={draft.stationId}
          onChange={(e) => set('stationId', e.target.value)}
          error={errors['stationId']}
        />
        <Field
          label={t('settings.lineRestart')}
          hint={t('settings.lineHint')}
          value={draft.stationLine}
          onChange={(e) => set('stationLine', e.target.value)}
          error={errors['stationLine']}
        />
        <Field
          label={t('settings.socketsRestart')}
          hint={t('settings.socketsHint')}
          type="number"
          min={1}
          max={16}
          value={fromNumber(draft.sockets)}
          onChange={(e) => set('sockets', toNumber(e.target.value))}
          error={errors['sockets']}
        />
      </div>
    </SettingsSection>
  );
}

/**
 * The screens' language when nobody (or somebody without a language of their own) is logged in,
 * and the folder of the plant's own catalogs. Both apply at once: the folder is read when a
 * screen asks for a catalog.
 */
export function LanguageSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  const view = useStationView();
  const options = languageOptions(view.station?.languages ?? []).map((l) => ({ value: l.code, label: `${l.name} (${l.code})` }));
  // A language set in the file with no catalog here (yet) stays as it is.
  if (!options.some((o) => o.value === draft.language)) options.push({ value: draft.language, label: draft.language });
  return (
    <SettingsSection id="language" restart={false} title={t('settings.languageTitle')} hint={t('settings.languageHint')}>
      <div className="settings-grid">
        <SelectField
          label={t('settings.field.language')}
          value={draft.language}
          options={options}
          onChange={(v) => set('language', v)}
          error={errors['language']}
        />
        <Field
          label={t('settings.field.languagesDir')}
          hint={<Trans i18nKey="settings.languagesDirHint" components={{ code: <span className="mono" /> }} />}
          className="mono-input settings-span"
          value={draft.languagesDir}
          onChange={(e) => set('languagesDir', e.target.value)}
          error={errors['languagesDir']}
        />
      </div>
    </SettingsSection>
  );
}

/** Instrument name → address, each with Test connection (identity or the error). */
export function InstrumentsSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  const entries = Object.entries(draft.instruments);
  const put = (rows: [string, string][]) => set('instruments', Object.fromEntries(rows));
  return (
    <SettingsSection id="instruments" restart={false} title={t('settings.field.instruments')} hint={t('settings.instrumentsHint')}>
      {entries.length === 0 ? <p className="muted">{t('settings.noInstruments')}</p> : null}
      {entries.map(([name, address], i) => (
        <div className="settings-row" key={i}>
          <Field
            label={t('people.name')}
            value={name}
            onChange={(e) => put(entries.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}
            className="settings-narrow"
          />
          <Field
            label={t('supervisor.address')}
            hint={t('settings.addressHint')}
            className="mono-input settings-wide"
            value={address}
            onChange={(e) => put(entries.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}
            error={errors[`instruments.${name}`]}
          />
          <TestConnection address={address} />
          <button type="button" className="button button--secondary settings-remove" onClick={() => put(entries.filter((_, j) => j !== i))}>
            {t('settings.remove')}
          </button>
        </div>
      ))}
      <button type="button" className="button button--secondary" onClick={() => put([...entries, [`instrument${entries.length + 1}`, '']])}>
        {t('settings.addInstrument')}
      </button>
    </SettingsSection>
  );
}

function TestConnection({ address }: { address: string }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const [state, setState] = useState<{ busy: boolean; ok?: string; error?: string }>({ busy: false });
  return (
    <div className="settings-test">
      <button
        type="button"
        className="button button--secondary"
        disabled={state.busy || !address.trim()}
        onClick={() => {
          setState({ busy: true });
          void client.invoke('instrument.test', { address }).then((r) =>
            setState(
              r.ok
                ? {
                    busy: false,
                    ok: t('settings.identity', {
                      maker: r.value.identity.maker,
                      model: r.value.identity.model,
                      serial: r.value.identity.serial,
                      ms: Math.round(r.value.roundTripMs),
                    }),
                  }
                : { busy: false, error: errorText(t, r.error) },
            ),
          );
        }}
      >
        {state.busy ? t('supervisor.testing') : t('supervisor.test')}
      </button>
      {state.ok ? (
        <span className="settings-test-ok" role="status">
          {state.ok}
        </span>
      ) : null}
      {state.error ? (
        <span className="form-field-error" role="alert">
          {state.error}
        </span>
      ) : null}
    </div>
  );
}

/** The characters a scanner sends after a code: their usual names, the same in every language. */
const SUFFIXES = [
  { value: 'cr', label: 'CR' },
  { value: 'lf', label: 'LF' },
  { value: 'crlf', label: 'CR LF' },
  { value: 'tab', label: 'Tab' },
] as const;

export function ScannersSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  const rows = draft.scanners;
  const put = (i: number, patch: Partial<SerialScanner>) =>
    set(
      'scanners',
      rows.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  return (
    <SettingsSection id="scanners" restart={false} title={t('settings.scannersTitle')} hint={t('settings.scannersHint')}>
      {rows.length === 0 ? <p className="muted">{t('settings.noScanner')}</p> : null}
      {rows.map((s, i) => (
        <div className="settings-row" key={i}>
          <Field
            label={t('people.name')}
            value={s.name}
            onChange={(e) => put(i, { name: e.target.value })}
            error={errors[`scanners.${i}.name`]}
            className="settings-narrow"
          />
          <Field
            label={t('settings.port')}
            hint="serial:/dev/ttyACM0?baud=9600"
            className="mono-input settings-wide"
            value={s.port}
            onChange={(e) => put(i, { port: e.target.value })}
            error={errors[`scanners.${i}.port`]}
          />
          <SelectField
            label={t('settings.endsWith')}
            value={s.suffix}
            options={SUFFIXES}
            onChange={(v) => put(i, { suffix: v })}
            error={errors[`scanners.${i}.suffix`]}
          />
          <Field
            label={t('supervisor.socket')}
            type="number"
            min={1}
            value={fromNumber(s.socket + 1)}
            onChange={(e) => put(i, { socket: toNumber(e.target.value) - 1 })}
            error={errors[`scanners.${i}.socket`]}
            className="settings-narrow"
          />
          <button
            type="button"
            className="button button--secondary settings-remove"
            onClick={() =>
              set(
                'scanners',
                rows.filter((_, j) => j !== i),
              )
            }
          >
            {t('settings.remove')}
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button--secondary"
        onClick={() => set('scanners', [...rows, { name: `scanner${rows.length + 1}`, port: '', suffix: 'cr', socket: 0 }])}
      >
        {t('settings.addScanner')}
      </button>
    </SettingsSection>
  );
}

export function ScanRoutesSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  const r = draft.scanRoutes;
  return (
    <SettingsSection id="routes" restart={false} title={t('settings.field.scanRoutes')} hint={t('settings.routesHint')}>
      <div className="settings-grid">
        <Field
          label={t('settings.badgePattern')}
          className="mono-input"
          value={r.badgePattern}
          onChange={(e) => set('scanRoutes', { ...r, badgePattern: e.target.value })}
          error={errors['scanRoutes.badgePattern']}
        />
        <Field
          label={t('settings.fixturePattern')}
          className="mono-input"
          value={r.fixturePattern}
          onChange={(e) => set('scanRoutes', { ...r, fixturePattern: e.target.value })}
          error={errors['scanRoutes.fixturePattern']}
        />
      </div>
    </SettingsSection>
  );
}

export function RetrySection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  const r = draft.uploadRetry;
  const put = (patch: Partial<Settings['uploadRetry']>) => set('uploadRetry', { ...r, ...patch });
  return (
    <SettingsSection id="retry" restart={false} title={t('settings.field.uploadRetry')} hint={t('settings.retryHint')}>
      <div className="settings-grid">
        <Field
          label={t('settings.firstWait')}
          type="number"
          value={fromNumber(r.firstDelayMs / 1000)}
          onChange={(e) => put({ firstDelayMs: Math.round(toNumber(e.target.value) * 1000) })}
          error={errors['uploadRetry.firstDelayMs']}
        />
        <Field
          label={t('settings.longestWait')}
          type="number"
          value={fromNumber(r.maxDelayMs / 1000)}
          onChange={(e) => put({ maxDelayMs: Math.round(toNumber(e.target.value) * 1000) })}
          error={errors['uploadRetry.maxDelayMs']}
        />
        <Field
          label={t('settings.jitter')}
          type="number"
          step="0.05"
          value={fromNumber(r.jitter)}
          onChange={(e) => put({ jitter: toNumber(e.target.value) })}
          error={errors['uploadRetry.jitter']}
        />
      </div>
    </SettingsSection>
  );
}

const MIB = 1024 * 1024;

export function RetentionSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  return (
    <SettingsSection id="retention" restart={false} title={t('settings.retentionTitle')}>
      <div className="settings-grid">
        <Field
          label={t('settings.keepRuns')}
          hint={t('settings.keepRunsHint')}
          type="number"
          min={0}
          value={fromNumber(draft.retentionDays)}
          onChange={(e) => set('retentionDays', toNumber(e.target.value))}
          error={errors['retentionDays']}
        />
        <Field
          label={t('settings.freeDisk')}
          hint={t('settings.freeDiskHint')}
          type="number"
          min={0}
          value={fromNumber(draft.minFreeBytes / MIB)}
          onChange={(e) => set('minFreeBytes', Math.round(toNumber(e.target.value) * MIB))}
          error={errors['minFreeBytes']}
        />
        <Field
          label={t('settings.field.backupKeep')}
          type="number"
          min={1}
          value={fromNumber(draft.backupKeep)}
          onChange={(e) => set('backupKeep', toNumber(e.target.value))}
          error={errors['backupKeep']}
        />
      </div>
    </SettingsSection>
  );
}

export function LoginsSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  return (
    <SettingsSection id="logins" restart={false} title={t('settings.loginsTitle')}>
      <div className="settings-grid">
        <Check
          label={t('settings.badgeLogin')}
          checked={draft.requireBadgeLogin}
          onChange={(v) => set('requireBadgeLogin', v)}
          error={errors['requireBadgeLogin']}
        />
        <Field
          label={t('settings.idle')}
          type="number"
          min={1}
          value={fromNumber(draft.sessionIdleMinutes)}
          onChange={(e) => set('sessionIdleMinutes', toNumber(e.target.value))}
          error={errors['sessionIdleMinutes']}
        />
      </div>
    </SettingsSection>
  );
}

export function ListeningSection({ draft, set, errors }: SectionProps) {
  const { t } = useTranslation();
  const tls = draft.tls ?? { cert: '', key: '' };
  const putTls = (patch: Partial<{ cert: string; key: string }>) => {
    const next = { ...tls, ...patch };
    set('tls', next.cert === '' && next.key === '' ? undefined : next);
  };
  return (
    <SettingsSection id="listening" title={t('settings.listeningTitle')} restart hint={t('settings.listeningHint')}>
      <div className="settings-grid">
        <Field
          label={t('settings.host')}
          className="mono-input"
          value={draft.listenHost}
          onChange={(e) => set('listenHost', e.target.value)}
          error={errors['listenHost']}
        />
        <Field
          label={t('settings.port')}
          type="number"
          value={fromNumber(draft.listenPort)}
          onChange={(e) => set('listenPort', toNumber(e.target.value))}
          error={errors['listenPort']}
        />
        <Field
          label={t('settings.field.allowedHosts')}
          hint={t('settings.allowedHostsHint')}
          className="mono-input"
          value={draft.allowedHosts.join(', ')}
          onChange={(e) =>
            set(
              'allowedHosts',
              e.target.value
                .split(',')
                .map((h) => h.trim())
                .filter(Boolean),
            )
          }
          error={errors['allowedHosts'] ?? Object.entries(errors).find(([k]) => k.startsWith('allowedHosts.'))?.[1]}
        />
        <Field
          label={t('settings.tlsCert')}
          className="mono-input"
          value={tls.cert}
          onChange={(e) => putTls({ cert: e.target.value })}
          error={errors['tls.cert'] ?? errors['tls']}
        />
        <Field
          label={t('settings.tlsKey')}
          className="mono-input"
          value={tls.key}
          onChange={(e) => putTls({ key: e.target.value })}
          error={errors['tls.key']}
        />
      </div>
    </SettingsSection>
  );
}

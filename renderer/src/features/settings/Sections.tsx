import { useId, useState, type ReactNode } from 'react';
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
  return (
    <section className="card settings-section" aria-labelledby={`settings-${id}`}>
      <h2 id={`settings-${id}`} className="section-title">
        {title} {restart === true ? <span className="restart-tag">Restart</span> : restart === false ? <span className="live-tag">At once</span> : null}
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
  return (
    <SettingsSection id="station" title="Station" hint="The name is shown on every screen; the id names this station in every run and upload.">
      <div className="settings-grid">
        <Field label="Station name" value={draft.stationName} onChange={(e) => set('stationName', e.target.value)} error={errors['stationName']} />
        <Field
          label="Station id (restart)"
          className="mono-input"
          value={draft.stationId}
          onChange={(e) => set('stationId', e.target.value)}
          error={errors['stationId']}
        />
        <Field
          label="Line (restart)"
          hint="Groups stations in the plant view"
          value={draft.stationLine}
          onChange={(e) => set('stationLine', e.target.value)}
          error={errors['stationLine']}
        />
        <Field
          label="Sockets (restart)"
          hint="Units tested side by side"
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

/** Instrument name → address, each with Test connection (identity or the error). */
export function InstrumentsSection({ draft, set, errors }: SectionProps) {
  const entries = Object.entries(draft.instruments);
  const put = (rows: [string, string][]) => set('instruments', Object.fromEntries(rows));
  return (
    <SettingsSection
      id="instruments"
      restart={false}
      title="Instruments"
      hint="Addresses override the procedure's. Each socket picks up a change between runs (at once when idle)."
    >
      {entries.length === 0 ? <p className="muted">No address set here: the procedure's own addresses are used.</p> : null}
      {entries.map(([name, address], i) => (
        <div className="settings-row" key={i}>
          <Field label="Name" value={name} onChange={(e) => put(entries.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} className="settings-narrow" />
          <Field
            label="Address"
            hint="e.g. serial:/dev/ttyUSB0?baud=9600 or tcp:10.0.0.5:5025"
            className="mono-input settings-wide"
            value={address}
            onChange={(e) => put(entries.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}
            error={errors[`instruments.${name}`]}
          />
          <TestConnection address={address} />
          <button type="button" className="button button--secondary settings-remove" onClick={() => put(entries.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="button button--secondary" onClick={() => put([...entries, [`instrument${entries.length + 1}`, '']])}>
        Add instrument
      </button>
    </SettingsSection>
  );
}

function TestConnection({ address }: { address: string }) {
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
                    ok: `${r.value.identity.maker} ${r.value.identity.model}, serial ${r.value.identity.serial} (${Math.round(r.value.roundTripMs)} ms)`,
                  }
                : { busy: false, error: r.error.message },
            ),
          );
        }}
      >
        {state.busy ? 'Testing…' : 'Test connection'}
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

const SUFFIXES = [
  { value: 'cr', label: 'CR' },
  { value: 'lf', label: 'LF' },
  { value: 'crlf', label: 'CR LF' },
  { value: 'tab', label: 'Tab' },
] as const;

export function ScannersSection({ draft, set, errors }: SectionProps) {
  const rows = draft.scanners;
  const put = (i: number, patch: Partial<SerialScanner>) =>
    set(
      'scanners',
      rows.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  return (
    <SettingsSection
      id="scanners"
      restart={false}
      title="Serial scanners"
      hint="USB-CDC barcode scanners; keyboard-wedge scanners need no setting. Saved scanners reopen at once."
    >
      {rows.length === 0 ? <p className="muted">No serial scanner.</p> : null}
      {rows.map((s, i) => (
        <div className="settings-row" key={i}>
          <Field
            label="Name"
            value={s.name}
            onChange={(e) => put(i, { name: e.target.value })}
            error={errors[`scanners.${i}.name`]}
            className="settings-narrow"
          />
          <Field
            label="Port"
            hint="serial:/dev/ttyACM0?baud=9600"
            className="mono-input settings-wide"
            value={s.port}
            onChange={(e) => put(i, { port: e.target.value })}
            error={errors[`scanners.${i}.port`]}
          />
          <SelectField label="Ends with" value={s.suffix} options={SUFFIXES} onChange={(v) => put(i, { suffix: v })} error={errors[`scanners.${i}.suffix`]} />
          <Field
            label="Socket"
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
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button--secondary"
        onClick={() => set('scanners', [...rows, { name: `scanner${rows.length + 1}`, port: '', suffix: 'cr', socket: 0 }])}
      >
        Add scanner
      </button>
    </SettingsSection>
  );
}

export function ScanRoutesSection({ draft, set, errors }: SectionProps) {
  const r = draft.scanRoutes;
  return (
    <SettingsSection
      id="routes"
      restart={false}
      title="Scan routes"
      hint="Regular expressions: what a badge and a fixture label look like. Every other scan is a unit serial."
    >
      <div className="settings-grid">
        <Field
          label="Badge pattern"
          className="mono-input"
          value={r.badgePattern}
          onChange={(e) => set('scanRoutes', { ...r, badgePattern: e.target.value })}
          error={errors['scanRoutes.badgePattern']}
        />
        <Field
          label="Fixture pattern"
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
  const r = draft.uploadRetry;
  const put = (patch: Partial<Settings['uploadRetry']>) => set('uploadRetry', { ...r, ...patch });
  return (
    <SettingsSection
      id="retry"
      restart={false}
      title="Retry policy"
      hint="For every upload target: the first wait after a failure, doubling up to the longest, give or take the jitter."
    >
      <div className="settings-grid">
        <Field
          label="First wait (seconds)"
          type="number"
          value={fromNumber(r.firstDelayMs / 1000)}
          onChange={(e) => put({ firstDelayMs: Math.round(toNumber(e.target.value) * 1000) })}
          error={errors['uploadRetry.firstDelayMs']}
        />
        <Field
          label="Longest wait (seconds)"
          type="number"
          value={fromNumber(r.maxDelayMs / 1000)}
          onChange={(e) => put({ maxDelayMs: Math.round(toNumber(e.target.value) * 1000) })}
          error={errors['uploadRetry.maxDelayMs']}
        />
        <Field
          label="Jitter (0 to 1)"
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
  return (
    <SettingsSection id="retention" restart={false} title="Retention and disk">
      <div className="settings-grid">
        <Field
          label="Keep runs (days)"
          hint="Runs every target has are deleted after this; 0 keeps all"
          type="number"
          min={0}
          value={fromNumber(draft.retentionDays)}
          onChange={(e) => set('retentionDays', toNumber(e.target.value))}
          error={errors['retentionDays']}
        />
        <Field
          label="Free-disk limit (MiB)"
          hint="Below this no new run starts"
          type="number"
          min={0}
          value={fromNumber(draft.minFreeBytes / MIB)}
          onChange={(e) => set('minFreeBytes', Math.round(toNumber(e.target.value) * MIB))}
          error={errors['minFreeBytes']}
        />
        <Field
          label="Backups kept"
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
  return (
    <SettingsSection id="logins" restart={false} title="Logins">
      <div className="settings-grid">
        <Check
          label="Operators log in with their badge before a run can start"
          checked={draft.requireBadgeLogin}
          onChange={(v) => set('requireBadgeLogin', v)}
          error={errors['requireBadgeLogin']}
        />
        <Field
          label="Log out after (idle minutes)"
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
  const tls = draft.tls ?? { cert: '', key: '' };
  const putTls = (patch: Partial<{ cert: string; key: string }>) => {
    const next = { ...tls, ...patch };
    set('tls', next.cert === '' && next.key === '' ? undefined : next);
  };
  return (
    <SettingsSection
      id="listening"
      title="Listening"
      restart
      hint="Where the UI, API and event stream are served. Any address but loopback needs both TLS files."
    >
      <div className="settings-grid">
        <Field label="Host" className="mono-input" value={draft.listenHost} onChange={(e) => set('listenHost', e.target.value)} error={errors['listenHost']} />
        <Field
          label="Port"
          type="number"
          value={fromNumber(draft.listenPort)}
          onChange={(e) => set('listenPort', toNumber(e.target.value))}
          error={errors['listenPort']}
        />
        <Field
          label="Allowed host names"
          hint="Comma-separated, e.g. station-7.plant.example"
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
          label="TLS certificate (PEM file)"
          className="mono-input"
          value={tls.cert}
          onChange={(e) => putTls({ cert: e.target.value })}
          error={errors['tls.cert'] ?? errors['tls']}
        />
        <Field label="TLS key (PEM file)" className="mono-input" value={tls.key} onChange={(e) => putTls({ key: e.target.value })} error={errors['tls.key']} />
      </div>
    </SettingsSection>
  );
}

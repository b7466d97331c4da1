import { useEffect, useRef, useState } from 'react';
import type { CommandOutput } from '#contract/commands.ts';
import type { Settings } from '#contract/settings.ts';
import type { StationError } from '#contract/errors.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { FIELD_LABELS, issuesByPath, type Errors } from './settings-form.ts';
import {
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
export function SettingsPage() {
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
      } else setFormError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, tick]);

  if (!draft || !loaded)
    return (
      <section className="page settings-page" aria-labelledby="settings-title">
        <h1 id="settings-title" ref={heading} tabIndex={-1}>
          Station settings
        </h1>
        {formError ? (
          <p className="field-error" role="alert">
            {formError}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );

  const changed = (Object.keys(draft) as (keyof Settings)[]).filter((k) => JSON.stringify(draft[k]) !== JSON.stringify(loaded.settings[k]));
  const restart = new Set(loaded.restartFields);
  const set = <K extends keyof Settings>(key: K, value: Settings[K]): void => setDraft((d) => (d ? { ...d, [key]: value } : d));
  const props = { draft, set, errors, restart };

  const refuse = (e: StationError): void => {
    const byPath = issuesByPath(e);
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
  };

  const count = Object.keys(errors).length;
  return (
    <section className="page settings-page" aria-labelledby="settings-title">
      <div className="page-head">
        <div>
          <h1 id="settings-title" ref={heading} tabIndex={-1}>
            Station settings
          </h1>
          <p className="list-meta">
            Stored in <span className="mono">{loaded.path}</span>. Fields marked <span className="restart-tag">Restart</span> are saved now and used from the
            next start of the station; the rest take effect when you save.
          </p>
          {loaded.pendingRestart.length ? (
            <p className="settings-pending" role="status">
              Saved, waiting for a restart: {loaded.pendingRestart.map((k) => FIELD_LABELS[k] ?? k).join(', ')}.
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
              Not saved: {count === 1 ? 'one field is' : `${count} fields are`} not valid (shown beside {count === 1 ? 'it' : 'each'}). The settings in force
              are unchanged.
            </p>
          ) : null}
          {formError ? (
            <p className="field-error" role="alert">
              {formError}
            </p>
          ) : null}
          {changed.length ? <p className="settings-changed">Changed: {changed.map((k) => FIELD_LABELS[k] ?? k).join(', ')}</p> : null}
          <div className="settings-save-row">
            <Field
              label="Reason (for the audit trail)"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={500}
              autoComplete="off"
              className="settings-reason"
            />
            <button type="submit" className="button button--primary settings-save-button" disabled={busy || changed.length === 0}>
              {busy ? 'Saving…' : changed.length === 0 ? 'No changes' : 'Save'}
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
              Undo changes
            </button>
          </div>
        </div>
      </form>
    </section>
  );
}

function SaveOutcome({ outcome }: { outcome: Outcome }) {
  const names = (keys: string[]) => keys.map((k) => FIELD_LABELS[k] ?? k).join(', ');
  if (outcome.applied.length === 0 && outcome.needsRestart.length === 0) return <p className="settings-outcome">Nothing changed.</p>;
  return (
    <div className="settings-outcome" role="status">
      {outcome.applied.length ? (
        <p>
          <strong>In force now:</strong> {names(outcome.applied)}.
        </p>
      ) : null}
      {outcome.needsRestart.length ? (
        <p>
          <strong>Saved, used after a restart of the station:</strong> {names(outcome.needsRestart)}.
        </p>
      ) : null}
    </div>
  );
}

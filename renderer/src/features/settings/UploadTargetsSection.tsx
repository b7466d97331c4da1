import { useState } from 'react';
import type { UploadTarget, UploadTargetKind } from '#contract/upload.ts';
import { SECRET_MASK } from '#contract/station-settings.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, SelectField } from '../../components/Field.tsx';
import { fromNumber, toNumber, type SectionProps } from './settings-form.ts';
import { Check, SettingsSection } from './Sections.tsx';

const KINDS: readonly { value: UploadTargetKind; label: string }[] = [
  { value: 'folder', label: 'Folder' },
  { value: 'http', label: 'HTTP (JSON POST)' },
  { value: 'tofupilot', label: 'TofuPilot' },
  { value: 'postgres', label: 'PostgreSQL' },
];

const FORMATS = [
  { value: 'native', label: 'Passline JSON' },
  { value: 'ocp', label: 'OCP test results (JSON lines)' },
  { value: 'openhtf', label: 'OpenHTF JSON' },
] as const;

const base = { enabled: true, timeoutMs: 30_000, concurrency: 4 };

/** A fresh target of a kind, keeping what the kinds share (id, enabled, timeout). */
function ofKind(kind: UploadTargetKind, from: Pick<UploadTarget, 'id' | 'enabled' | 'timeoutMs' | 'concurrency'>): UploadTarget {
  const common = { id: from.id, enabled: from.enabled, timeoutMs: from.timeoutMs, concurrency: from.concurrency };
  switch (kind) {
    case 'folder':
      return { ...common, kind, path: '', format: 'native' };
    case 'http':
      return { ...common, kind, url: '', headers: {} };
    case 'tofupilot':
      return { ...common, kind, url: 'https://www.tofupilot.app/api', apiKey: '', procedureIds: {} };
    case 'postgres':
      return { ...common, kind, connectionString: '', schema: 'passline', batchSize: 25 };
  }
}

/** Upload targets: add, edit, remove; kind-specific fields; Send a test run on each. */
export function UploadTargetsSection({ draft, set, errors, secrets }: SectionProps & { secrets: { path: string; set: boolean }[] }) {
  const targets = draft.uploadTargets;
  const put = (i: number, t: UploadTarget) =>
    set(
      'uploadTargets',
      targets.map((x, j) => (j === i ? t : x)),
    );
  return (
    <SettingsSection
      id="targets"
      title="Upload targets"
      restart={false}
      hint="Where finished runs go, each with its own queue. Runs already waiting stay queued when a target changes."
    >
      {targets.length === 0 ? <p className="muted">No upload target: runs stay on this station.</p> : null}
      {targets.map((t, i) => (
        <TargetCard
          key={i}
          index={i}
          target={t}
          errors={errors}
          secretSet={secrets.some((s) => s.set && s.path.startsWith(`uploadTargets.${i}.`))}
          onChange={(next) => put(i, next)}
          onRemove={() =>
            set(
              'uploadTargets',
              targets.filter((_, j) => j !== i),
            )
          }
        />
      ))}
      <button
        type="button"
        className="button button--secondary"
        onClick={() => set('uploadTargets', [...targets, ofKind('folder', { ...base, id: `target-${targets.length + 1}` })])}
      >
        Add upload target
      </button>
    </SettingsSection>
  );
}

function TargetCard({
  index,
  target: t,
  errors,
  secretSet,
  onChange,
  onRemove,
}: {
  index: number;
  target: UploadTarget;
  errors: Record<string, string>;
  secretSet: boolean;
  onChange(t: UploadTarget): void;
  onRemove(): void;
}) {
  const at = (field: string) => errors[`uploadTargets.${index}.${field}`];
  const secretHint = secretSet ? `Stored (shown as ${SECRET_MASK}); type a new one to replace it` : 'Not set';
  return (
    <fieldset className="settings-target" aria-label={`Upload target ${t.id || index + 1}`}>
      <legend className="settings-target-title">
        Target {index + 1}: <span className="mono">{t.id || '(no id)'}</span>
      </legend>
      {errors[`uploadTargets.${index}`] ? (
        <p className="form-field-error" role="alert">
          {errors[`uploadTargets.${index}`]}
        </p>
      ) : null}
      <div className="settings-grid">
        <Field
          label="Id"
          hint="Names the target in the queue: keep it stable"
          className="mono-input"
          value={t.id}
          onChange={(e) => onChange({ ...t, id: e.target.value })}
          error={at('id')}
        />
        <SelectField label="Kind" value={t.kind} options={KINDS} onChange={(k) => onChange(ofKind(k, t))} error={at('kind')} />
        <Check label="Enabled: new runs are queued for it" checked={t.enabled} onChange={(v) => onChange({ ...t, enabled: v })} error={at('enabled')} />
        {t.kind === 'folder' ? (
          <>
            <Field
              label="Folder"
              hint="An existing folder; it is never created"
              className="mono-input settings-span"
              value={t.path}
              onChange={(e) => onChange({ ...t, path: e.target.value })}
              error={at('path')}
            />
            <SelectField label="Format" value={t.format} options={FORMATS} onChange={(v) => onChange({ ...t, format: v })} error={at('format')} />
          </>
        ) : null}
        {t.kind === 'http' ? (
          <>
            <Field label="URL" className="mono-input settings-span" value={t.url} onChange={(e) => onChange({ ...t, url: e.target.value })} error={at('url')} />
            <Field
              label="Token"
              hint={secretHint}
              type="password"
              autoComplete="off"
              value={t.token ?? ''}
              onChange={(e) => onChange(e.target.value ? { ...t, token: e.target.value } : withoutKey(t, 'token'))}
              error={at('token')}
            />
            <CaFile t={t} onChange={onChange} error={at('caFile')} />
          </>
        ) : null}
        {t.kind === 'tofupilot' ? (
          <>
            <Field label="URL" className="mono-input settings-span" value={t.url} onChange={(e) => onChange({ ...t, url: e.target.value })} error={at('url')} />
            <Field
              label="API key"
              hint={secretHint}
              type="password"
              autoComplete="off"
              value={t.apiKey}
              onChange={(e) => onChange({ ...t, apiKey: e.target.value })}
              error={at('apiKey')}
            />
            <Field
              label="Default procedure id"
              value={t.defaultProcedureId ?? ''}
              onChange={(e) => onChange(e.target.value ? { ...t, defaultProcedureId: e.target.value } : withoutKey(t, 'defaultProcedureId'))}
              error={at('defaultProcedureId')}
            />
            <Field
              label="Part number"
              value={t.partNumber ?? ''}
              onChange={(e) => onChange(e.target.value ? { ...t, partNumber: e.target.value } : withoutKey(t, 'partNumber'))}
              error={at('partNumber')}
            />
          </>
        ) : null}
        {t.kind === 'postgres' ? (
          <>
            <Field
              label="Connection string"
              hint={secretSet ? `postgres://user:${SECRET_MASK}@host/db keeps the stored password` : 'postgres://user:password@host:5432/database'}
              className="mono-input settings-span"
              value={t.connectionString}
              onChange={(e) => onChange({ ...t, connectionString: e.target.value })}
              error={at('connectionString')}
            />
            <Field label="Schema" className="mono-input" value={t.schema} onChange={(e) => onChange({ ...t, schema: e.target.value })} error={at('schema')} />
            <CaFile t={t} onChange={onChange} error={at('caFile')} />
          </>
        ) : null}
        <Field
          label="Timeout (seconds)"
          type="number"
          value={fromNumber(t.timeoutMs / 1000)}
          onChange={(e) => onChange({ ...t, timeoutMs: Math.round(toNumber(e.target.value) * 1000) })}
          error={at('timeoutMs')}
        />
      </div>
      <div className="settings-target-actions">
        <SendTestRun target={t} />
        <button type="button" className="button button--secondary settings-remove" onClick={onRemove}>
          Remove target
        </button>
      </div>
    </fieldset>
  );
}

function CaFile({ t, onChange, error }: { t: Extract<UploadTarget, { caFile?: string }>; onChange(t: UploadTarget): void; error: string | undefined }) {
  return (
    <Field
      label="CA file (PEM, optional)"
      className="mono-input"
      value={t.caFile ?? ''}
      onChange={(e) => onChange(e.target.value ? { ...t, caFile: e.target.value } : withoutKey(t, 'caFile'))}
      error={error}
    />
  );
}

function withoutKey<T extends object>(t: T, key: string): T {
  const copy = { ...t } as Record<string, unknown>;
  delete copy[key];
  return copy as T;
}

/** Sends one synthetic run to this target as it is on screen (saved or not); says whether it got through. */
function SendTestRun({ target }: { target: UploadTarget }) {
  const client = useStationClient();
  const [state, setState] = useState<{ busy: boolean; ok?: string; error?: string }>({ busy: false });
  return (
    <div className="settings-test">
      <button
        type="button"
        className="button button--secondary"
        disabled={state.busy}
        onClick={() => {
          setState({ busy: true });
          void client
            .invoke('upload.testTarget', { target })
            .then((r) =>
              setState(
                !r.ok
                  ? { busy: false, error: r.error.message }
                  : r.value.ok
                    ? { busy: false, ok: `Test run delivered to ${r.value.label} in ${r.value.ms} ms (${r.value.runId}).` }
                    : { busy: false, error: `Not delivered to ${r.value.label}: ${r.value.error ?? 'no reason given'}` },
              ),
            );
        }}
      >
        {state.busy ? 'Sending…' : 'Send a test run'}
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

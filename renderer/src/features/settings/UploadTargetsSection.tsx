import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import type { UploadTarget, UploadTargetKind } from '#contract/upload.ts';
import { SECRET_MASK } from '#contract/station-settings.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, SelectField } from '../../components/Field.tsx';
import { fromNumber, toNumber, type SectionProps } from './settings-form.ts';
import { Check, SettingsSection } from './Sections.tsx';

const KINDS = [
  { value: 'folder', label: 'uploads.kindFolder' },
  { value: 'http', label: 'settings.kindHttp' },
  { value: 'tofupilot', label: 'uploads.kindTofupilot' },
  { value: 'postgres', label: 'uploads.kindPostgres' },
] as const satisfies readonly { value: UploadTargetKind; label: string }[];

const FORMATS = [
  { value: 'native', label: 'run.exportNative' },
  { value: 'ocp', label: 'settings.formatOcp' },
  { value: 'openhtf', label: 'run.exportOpenhtf' },
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
  const { t } = useTranslation();
  const targets = draft.uploadTargets;
  const put = (i: number, t: UploadTarget) =>
    set(
      'uploadTargets',
      targets.map((x, j) => (j === i ? t : x)),
    );
  return (
    <SettingsSection id="targets" title={t('supervisor.targets')} restart={false} hint={t('settings.targetsHint')}>
      {targets.length === 0 ? <p className="muted">{t('settings.noTarget')}</p> : null}
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
        {t('settings.addTarget')}
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
  const { t: tr } = useTranslation();
  const at = (field: string) => errors[`uploadTargets.${index}.${field}`];
  const secretHint = secretSet ? tr('settings.secretStored', { mask: SECRET_MASK }) : tr('settings.secretNotSet');
  const kinds = KINDS.map((k) => ({ value: k.value, label: tr(k.label) }));
  const formats = FORMATS.map((f) => ({ value: f.value, label: tr(f.label) }));
  return (
    <fieldset className="settings-target" aria-label={tr('settings.targetLabel', { id: t.id || index + 1 })}>
      <legend className="settings-target-title">
        {tr('settings.target', { n: index + 1 })} <span className="mono">{t.id || tr('settings.noId')}</span>
      </legend>
      {errors[`uploadTargets.${index}`] ? (
        <p className="form-field-error" role="alert">
          {errors[`uploadTargets.${index}`]}
        </p>
      ) : null}
      <div className="settings-grid">
        <Field
          label={tr('settings.id')}
          hint={tr('settings.idHint')}
          className="mono-input"
          value={t.id}
          onChange={(e) => onChange({ ...t, id: e.target.value })}
          error={at('id')}
        />
        <SelectField label={tr('supervisor.kind')} value={t.kind} options={kinds} onChange={(k) => onChange(ofKind(k, t))} error={at('kind')} />
        <Check label={tr('settings.enabled')} checked={t.enabled} onChange={(v) => onChange({ ...t, enabled: v })} error={at('enabled')} />
        {t.kind === 'folder' ? (
          <>
            <Field
              label={tr('uploads.kindFolder')}
              hint={tr('settings.folderHint')}
              className="mono-input settings-span"
              value={t.path}
              onChange={(e) => onChange({ ...t, path: e.target.value })}
              error={at('path')}
            />
            <SelectField
              label={tr('settings.format')}
              value={t.format}
              options={formats}
              onChange={(v) => onChange({ ...t, format: v })}
              error={at('format')}
            />
          </>
        ) : null}
        {t.kind === 'http' ? (
          <>
            <Field
              label={tr('settings.url')}
              className="mono-input settings-span"
              value={t.url}
              onChange={(e) => onChange({ ...t, url: e.target.value })}
              error={at('url')}
            />
            <Field
              label={tr('settings.token')}
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
            <Field
              label={tr('settings.url')}
              className="mono-input settings-span"
              value={t.url}
              onChange={(e) => onChange({ ...t, url: e.target.value })}
              error={at('url')}
            />
            <Field
              label={tr('settings.apiKey')}
              hint={secretHint}
              type="password"
              autoComplete="off"
              value={t.apiKey}
              onChange={(e) => onChange({ ...t, apiKey: e.target.value })}
              error={at('apiKey')}
            />
            <Field
              label={tr('settings.defaultProcedure')}
              value={t.defaultProcedureId ?? ''}
              onChange={(e) => onChange(e.target.value ? { ...t, defaultProcedureId: e.target.value } : withoutKey(t, 'defaultProcedureId'))}
              error={at('defaultProcedureId')}
            />
            <Field
              label={tr('history.partNumber')}
              value={t.partNumber ?? ''}
              onChange={(e) => onChange(e.target.value ? { ...t, partNumber: e.target.value } : withoutKey(t, 'partNumber'))}
              error={at('partNumber')}
            />
          </>
        ) : null}
        {t.kind === 'postgres' ? (
          <>
            <Field
              label={tr('settings.connectionString')}
              hint={
                secretSet
                  ? tr('settings.connectionKeeps', { example: `postgres://user:${SECRET_MASK}@host/db` })
                  : 'postgres://user:password@host:5432/database'
              }
              className="mono-input settings-span"
              value={t.connectionString}
              onChange={(e) => onChange({ ...t, connectionString: e.target.value })}
              error={at('connectionString')}
            />
            <Field
              label={tr('settings.schema')}
              className="mono-input"
              value={t.schema}
              onChange={(e) => onChange({ ...t, schema: e.target.value })}
              error={at('schema')}
            />
            <CaFile t={t} onChange={onChange} error={at('caFile')} />
          </>
        ) : null}
        <Field
          label={tr('settings.timeoutSeconds')}
          type="number"
          value={fromNumber(t.timeoutMs / 1000)}
          onChange={(e) => onChange({ ...t, timeoutMs: Math.round(toNumber(e.target.value) * 1000) })}
          error={at('timeoutMs')}
        />
      </div>
      <div className="settings-target-actions">
        <SendTestRun target={t} />
        <button type="button" className="button button--secondary settings-remove" onClick={onRemove}>
          {tr('settings.removeTarget')}
        </button>
      </div>
    </fieldset>
  );
}

function CaFile({ t, onChange, error }: { t: Extract<UploadTarget, { caFile?: string }>; onChange(t: UploadTarget): void; error: string | undefined }) {
  const { t: tr } = useTranslation();
  return (
    <Field
      label={tr('settings.caFile')}
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
  const { t } = useTranslation();
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
                  ? { busy: false, error: errorText(t, r.error) }
                  : r.value.ok
                    ? { busy: false, ok: t('settings.testDelivered', { label: r.value.label, ms: r.value.ms, runId: r.value.runId }) }
                    : { busy: false, error: t('settings.testNotDelivered', { label: r.value.label, error: r.value.error ?? t('settings.noReason') }) },
              ),
            );
        }}
      >
        {state.busy ? t('uploads.sendingNow') : t('settings.sendTest')}
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

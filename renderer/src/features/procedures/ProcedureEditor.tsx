import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultText } from '#contract/localized-text.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { MeasurementSpec, PhaseSpec } from '#contract/procedure.ts';
import type { FieldDiff, ProcedureChangeResult } from '#contract/procedures.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { ListMessages } from '../../components/ListState.tsx';
import { shortHash } from '../../components/format.ts';
import {
  changesOf,
  fieldRefs,
  fileProblems,
  instanceLabel,
  instanceMeasurements,
  keyOf,
  limitKind,
  measurementPath,
  type Edits,
  type FieldRef,
} from './edit-model.ts';
import { EditBoolSelect, EditChoice, EditField, EditInclusive, EditToggle, type EditProps } from './EditInputs.tsx';
import { refusalByField } from './station-errors.ts';
import { ChangeList } from './ChangeList.tsx';

type Loaded = CommandOutput<'procedures.get'>;

/**
 * What a supervisor may tune in procedure.yaml without code, laid out by phase, a row per
 * measurement. Fields are checked as they are typed where the rule is simple; the station checks
 * everything again when saving and names the field it refuses. Saving shows the change field by
 * field and asks for a reason.
 */
export function ProcedureEditor({
  procedureId,
  approvalRequired,
  onSaved,
}: {
  procedureId: string;
  approvalRequired: boolean;
  onSaved(result: ProcedureChangeResult): void;
}) {
  const client = useStationClient();
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [edits, setEdits] = useState<Edits>({});
  const [refused, setRefused] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  /** The station's preview of the change (its words, the version it makes) while the supervisor reviews it. */
  const [review, setReview] = useState<{ version: string; diff: FieldDiff[] } | null>(null);
  const reviewing = review !== null;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const reviewRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('procedures.get', { procedureId }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setLoaded(r.value);
        setLoadError(null);
      } else setLoadError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, procedureId, tick]);

  const refs = useMemo(() => (loaded ? fieldRefs(loaded.file) : new Map<string, FieldRef>()), [loaded]);
  const { changes, errors: typed } = useMemo(() => changesOf(edits, refs), [edits, refs]);
  const crossField = useMemo(() => (loaded ? fileProblems(loaded.file, edits) : {}), [loaded, edits]);
  const errors = { ...refused, ...crossField, ...typed };
  const localProblems = Object.keys(typed).length + Object.keys(crossField).length;

  useEffect(() => {
    if (reviewing) reviewRef.current?.focus();
  }, [reviewing]);

  // A field the station refused: the focus goes to it, so its message beside it is on view.
  const firstRefused = Object.keys(refused).find((k) => k !== 'reason') ?? null;
  useEffect(() => {
    if (!firstRefused) return;
    const input = document.querySelector<HTMLInputElement>(`[data-field="${CSS.escape(firstRefused)}"]`);
    input?.focus();
    input?.scrollIntoView({ block: 'center' });
  }, [firstRefused]);

  if (loadError) return <ListMessages error={`The procedure file could not be read: ${loadError}`} />;
  if (!loaded) return <p className="list-meta">Loading the procedure file…</p>;
  const file = loaded.file;

  const onEdit = (ref: FieldRef, text: string): void => {
    const key = keyOf(ref.path);
    setEdits((e) => ({ ...e, [key]: { path: ref.path, text } }));
    setRefused((r) => {
      if (!(key in r)) return r;
      const { [key]: _gone, ...rest } = r;
      return rest;
    });
    setFormError(null);
  };
  const ep: EditProps = { refs, edits, errors, onEdit };

  // The station checks the change as a save would and says it in words; a refused field goes back to the editor.
  const startReview = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('procedures.preview', { procedureId, baseHash: loaded.hash, changes });
    setBusy(false);
    if (r.ok) {
      setReview({ version: r.value.version, diff: r.value.diff });
      return;
    }
    const split = refusalByField(t, r.error, changes);
    setRefused(split.fields);
    setFormError(split.form);
  };

  const save = async (): Promise<void> => {
    if (reason.trim().length < 3) {
      setRefused((r) => ({ ...r, reason: 'Say why you make this change (a few words)' }));
      return;
    }
    setBusy(true);
    const r = await client.invoke('procedures.propose', { procedureId, baseHash: loaded.hash, changes, reason: reason.trim() });
    setBusy(false);
    if (r.ok) {
      setEdits({});
      setRefused({});
      setReason('');
      setReview(null);
      setTick((n) => n + 1);
      onSaved(r.value);
      return;
    }
    const split = refusalByField(t, r.error, changes);
    setRefused(split.fields);
    setFormError(split.form);
    // A refused field goes back to the editor, where it is shown; a refused reason stays here.
    if (Object.keys(split.fields).some((k) => k !== 'reason')) setReview(null);
  };

  return (
    <div className="procedure-editor">
      <p className="code-note" role="note">
        <strong>Code is not edited here.</strong> These are the values in <span className="mono">procedure.yaml</span>. What the phases do is in{' '}
        <span className="mono">phases.ts</span>, which only a test engineer changes.
      </p>
      <p className="list-meta">
        Editing version <span className="strong">{loaded.version}</span> · <span className="mono">{shortHash(loaded.hash)}</span> · {loaded.dir}
      </p>

      <section className="card editor-block" aria-labelledby="ed-serial">
        <h3 id="ed-serial" className="editor-block-title">
          Serial number and run
        </h3>
        <div className="editor-grid">
          <EditField {...ep} path={['serialPattern']} label="Serial pattern" hint="A regular expression every serial must match" wide />
          <EditField {...ep} path={['serialExample']} label="Serial example" hint="Shown to the operator when a scan is refused" />
          <EditToggle {...ep} path={['stopOnFailure']} label="Stop at the first failing phase (teardown still runs)" />
        </div>
      </section>

      {file.phases.map((ph) => (
        <PhaseBlock key={ph.name} phase={ph} ep={ep} stopOnFailure={file.stopOnFailure} />
      ))}

      {Object.keys(file.prompts).length > 0 ? (
        <section className="card editor-block" aria-labelledby="ed-prompts">
          <h3 id="ed-prompts" className="editor-block-title">
            Prompts
          </h3>
          <div className="prompt-rows">
            {Object.keys(file.prompts).map((k) => (
              <div className="prompt-row" key={k} role="group" aria-label={`Prompt ${k}`}>
                <span className="mono strong prompt-row-name">{k}</span>
                <EditField {...ep} path={['prompts', k, 'message']} label="Question or instruction" wide />
                <EditChoice
                  {...ep}
                  path={['prompts', k, 'image']}
                  label="Image"
                  hint={loaded.images.length === 0 ? 'No image file in the procedure folder' : 'An image file in the procedure folder'}
                  choices={[{ value: '', label: 'No image' }, ...loaded.images.map((f) => ({ value: f, label: f }))]}
                />
              </div>
            ))}
          </div>
        </section>
      ) : null}

      <div className="editor-bar" role="region" aria-label="Save changes">
        <span className="editor-bar-count">
          {changes.length === 0 ? 'No change yet' : changes.length === 1 ? '1 field changed' : `${changes.length} fields changed`}
          {localProblems > 0 ? <span className="editor-bar-problem"> · fix the fields marked in red first</span> : null}
        </span>
        <button
          type="button"
          className="button button--secondary"
          disabled={changes.length === 0 && Object.keys(edits).length === 0}
          onClick={() => setEdits({})}
        >
          Undo all
        </button>
        <button
          type="button"
          className="button button--primary"
          disabled={changes.length === 0 || localProblems > 0 || busy}
          onClick={() => void startReview()}
        >
          {busy && !reviewing ? 'Checking…' : 'Review and save…'}
        </button>
      </div>

      {review ? (
        <section className="card save-review" aria-labelledby="save-review-title">
          <h3 id="save-review-title" className="editor-block-title" ref={reviewRef} tabIndex={-1}>
            {approvalRequired ? 'Submit these changes for approval' : 'Save these changes'}
          </h3>
          <p className="list-meta">
            Version {loaded.version} → <span className="strong">{review.version}</span>
          </p>
          <ChangeList words={review.diff.map((d) => d.words)} />
          <form
            className="save-review-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <Field
              label="Reason"
              hint={approvalRequired ? 'Required. A second supervisor reads it before approving.' : 'Required. Kept in the audit trail with the change.'}
              value={reason}
              maxLength={500}
              error={refused.reason}
              onChange={(e) => {
                setReason(e.target.value);
                setRefused(({ reason: _r, ...rest }) => rest);
              }}
            />
            <ListMessages error={formError} />
            <p className="list-meta">
              {approvalRequired
                ? 'Changes need approval on this station: the current version keeps running until another supervisor approves.'
                : 'The new version loads on each socket between runs; a run in progress finishes on the version it started with.'}
            </p>
            <div className="save-review-actions">
              <button type="submit" className="button button--primary" disabled={busy}>
                {approvalRequired ? 'Submit for approval' : 'Save new version'}
              </button>
              <button type="button" className="button button--secondary" onClick={() => setReview(null)}>
                Back to editing
              </button>
            </div>
          </form>
        </section>
      ) : (
        <ListMessages error={formError} />
      )}
    </div>
  );
}

const ON_FAILURE = (stopOnFailure: boolean) => [
  { value: '', label: stopOnFailure ? 'As the procedure: stop the run' : 'As the procedure: go on' },
  { value: 'continue', label: 'Go on with the next phase' },
  { value: 'stop', label: 'Stop the run (teardown still runs)' },
];

function PhaseBlock({ phase, ep, stopOnFailure }: { phase: PhaseSpec; ep: EditProps; stopOnFailure: boolean }) {
  const titleId = `ed-phase-${phase.name}`;
  const params = Object.keys(phase.params);
  const paramField = (path: (string | number)[], k: string) =>
    ep.refs.get(keyOf(path))?.kind === 'bool' ? (
      <EditToggle key={k} {...ep} path={path} label={`Parameter ${k}`} />
    ) : (
      <EditField key={k} {...ep} path={path} label={`Parameter ${k}`} />
    );
  return (
    <section className={`card editor-block editor-phase${phase.enabled ? '' : ' editor-phase--off'}`} aria-labelledby={titleId} role="group">
      <div className="editor-phase-head">
        <h3 id={titleId} className="editor-block-title">
          {phase.title ? (
            <>
              {defaultText(phase.title)} <span className="mono muted editor-phase-name">{phase.name}</span>
            </>
          ) : (
            <span className="mono">{phase.name}</span>
          )}
          <span className="muted small"> · {phase.group}</span>
        </h3>
        <EditToggle {...ep} path={['phases', phase.name, 'enabled']} label="Phase enabled" />
      </div>
      <div className="editor-grid editor-grid--phase">
        <EditField {...ep} path={['phases', phase.name, 'timeoutMs']} label="Timeout" unit="ms" />
        <EditField {...ep} path={['phases', phase.name, 'retry', 'count']} label="Retries" placeholder="none" />
        <EditField {...ep} path={['phases', phase.name, 'retry', 'delayMs']} label="Retry delay" unit="ms" placeholder="0" />
        <EditChoice {...ep} path={['phases', phase.name, 'onFailure']} label="When it fails" choices={ON_FAILURE(stopOnFailure)} />
        {params.map((k) => paramField(['phases', phase.name, 'params', k], k))}
      </div>
      {phase.measurements.length > 0 ? (
        <div className="measurement-rows">
          {phase.measurements.map((m) => (
            <MeasurementRow key={m.name} phase={phase.name} m={m} ep={ep} />
          ))}
        </div>
      ) : (
        <p className="list-meta">No declared measurement.</p>
      )}
      {phase.instances?.map((inst, i) => {
        const label = instanceLabel(phase.name, inst.params);
        return (
          <div className="editor-instance" key={i} role="group" aria-label={`Instance ${label}`}>
            <h4 className="editor-instance-title">
              <span className="mono">{label}</span>
              {inst.title ? <span className="muted"> · {defaultText(inst.title)}</span> : null}
              <span className="muted small"> · limits for this instance only</span>
            </h4>
            <div className="editor-grid editor-grid--phase">
              {Object.keys(inst.params).map((k) => paramField(['phases', phase.name, 'instances', i, 'params', k], k))}
            </div>
            <div className="measurement-rows">
              {instanceMeasurements(phase, i).map((m) => (
                <MeasurementRow
                  key={m.name}
                  phase={phase.name}
                  m={m}
                  ep={ep}
                  instance={i}
                  note={inst.measurements.some((x) => x.name === m.name) ? 'own limits' : 'as the phase declares'}
                />
              ))}
            </div>
          </div>
        );
      })}
    </section>
  );
}

function MeasurementRow({ phase, m, ep, instance, note }: { phase: string; m: MeasurementSpec; ep: EditProps; instance?: number; note?: string }) {
  const kind = limitKind(m);
  const p = (f: string) => measurementPath(phase, m.name, f, instance);
  const units = m.units;
  return (
    <div className="measurement-row" role="group" aria-label={`Measurement ${m.name}`}>
      <div className="measurement-row-name">
        <span className="mono strong">{m.name}</span>
        <span className="muted small">
          {KIND_TEXT[kind]}
          {note ? ` · ${note}` : ''}
        </span>
      </div>
      <div className="measurement-row-fields">
        <EditField {...ep} path={p('units')} label="Units" />
        {kind === 'range' ? (
          <>
            <EditField {...ep} path={p('lower')} label="Lower" unit={units} />
            <EditInclusive {...ep} path={p('lowerInclusive')} label="Lower is" />
            <EditField {...ep} path={p('upper')} label="Upper" unit={units} />
            <EditInclusive {...ep} path={p('upperInclusive')} label="Upper is" />
            <EditField {...ep} path={p('marginalLower')} label="Marginal from" unit={units} placeholder="optional" />
            <EditField {...ep} path={p('marginalUpper')} label="Marginal to" unit={units} placeholder="optional" />
          </>
        ) : kind === 'equals' ? (
          <>
            {typeof m.equals === 'boolean' ? (
              <EditBoolSelect {...ep} path={p('equals')} label="Equals" />
            ) : (
              <EditField {...ep} path={p('equals')} label="Equals" unit={units} />
            )}
            {typeof m.equals === 'number' ? (
              <>
                <EditField {...ep} path={p('tolerance')} label="Tolerance ±" unit={units} />
                <EditField {...ep} path={p('tolerancePercent')} label="Tolerance ±" unit="%" />
              </>
            ) : null}
          </>
        ) : kind === 'regex' ? (
          <EditField {...ep} path={p('regex')} label="Must match" hint="A regular expression" wide />
        ) : kind === 'oneOf' ? (
          <EditField {...ep} path={p('oneOf')} label="One of" hint="Values separated by commas" wide />
        ) : (
          <p className="list-meta">Checked by code in phases.ts: not editable here.</p>
        )}
      </div>
    </div>
  );
}

const KIND_TEXT = { range: 'lower / upper', equals: 'equals', regex: 'matches', oneOf: 'one of', code: 'by code' } as const;

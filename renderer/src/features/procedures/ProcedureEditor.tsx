import { useEffect, useMemo, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { TFunction, TOptions } from 'i18next';
import { errorText } from '../../i18n/errors.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { MeasurementSpec, PhaseSpec } from '#contract/procedure.ts';
import type { FieldChange, ProcedureChangeResult } from '#contract/procedures.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field } from '../../components/Field.tsx';
import { ListMessages } from '../../components/ListState.tsx';
import { shortHash } from '../../components/format.ts';
import {
  changeWords,
  changesOf,
  fieldRefs,
  keyOf,
  limitKind,
  measurementPath,
  measurementProblems,
  type Edits,
  type FieldRef,
  type Problem,
} from './edit-model.ts';
import { EditBoolSelect, EditField, EditInclusive, EditToggle, type EditProps } from './EditInputs.tsx';
import { refusalByField } from './station-errors.ts';
import { ChangeList } from './ChangeList.tsx';
import { GROUP } from '../operator/PhaseList.tsx';
import { defaultText } from '#contract/procedure.ts';
import { useProcedureText } from '../../i18n/procedure-text.ts';

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
  const { t } = useTranslation();
  const client = useStationClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [edits, setEdits] = useState<Edits>({});
  const [refused, setRefused] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [reviewing, setReviewing] = useState(false);
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
      } else setLoadError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, procedureId, tick, t]);

  const refs = useMemo(() => (loaded ? fieldRefs(loaded.file) : new Map<string, FieldRef>()), [loaded]);
  const { changes, errors: typed } = useMemo(() => changesOf(edits, refs), [edits, refs]);
  const crossField = useMemo(() => {
    if (!loaded) return {};
    const out: Record<string, Problem> = {};
    for (const ph of loaded.file.phases) for (const m of ph.measurements) Object.assign(out, measurementProblems(ph.name, m, edits));
    return out;
  }, [loaded, edits]);
  const errors = { ...refused, ...words(t, crossField), ...words(t, typed) };
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

  if (loadError) return <ListMessages error={t('editor.cannotRead', { error: loadError })} />;
  if (!loaded) return <p className="list-meta">{t('editor.loading')}</p>;
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
  const unitsOf = (c: FieldChange): string | undefined => {
    const [root, ph, sub, m] = c.path;
    if (root !== 'phases' || sub !== 'measurements') return undefined;
    return file.phases.find((p) => p.name === ph)?.measurements.find((x) => x.name === m)?.units;
  };

  const save = async (): Promise<void> => {
    if (reason.trim().length < 3) {
      setRefused((r) => ({ ...r, reason: t('editor.sayWhy') }));
      return;
    }
    setBusy(true);
    const r = await client.invoke('procedures.propose', { procedureId, baseHash: loaded.hash, changes, reason: reason.trim() });
    setBusy(false);
    if (r.ok) {
      setEdits({});
      setRefused({});
      setReason('');
      setReviewing(false);
      setTick((n) => n + 1);
      onSaved(r.value);
      return;
    }
    const split = refusalByField(t, r.error, changes);
    setRefused(split.fields);
    setFormError(split.form);
    // A refused field goes back to the editor, where it is shown; a refused reason stays here.
    if (Object.keys(split.fields).some((k) => k !== 'reason')) setReviewing(false);
  };

  return (
    <div className="procedure-editor">
      <p className="code-note" role="note">
        <Trans i18nKey="editor.codeNote" components={{ strong: <strong />, file: <span className="mono" /> }} />
      </p>
      <p className="list-meta">
        <Trans
          i18nKey="editor.editing"
          values={{ version: loaded.version, hash: shortHash(loaded.hash), dir: loaded.dir }}
          components={{ version: <span className="strong" />, hash: <span className="mono" /> }}
        />
      </p>

      <section className="card editor-block" aria-labelledby="ed-serial">
        <h3 id="ed-serial" className="editor-block-title">
          {t('editor.serialAndRun')}
        </h3>
        <div className="editor-grid">
          <EditField {...ep} path={['serialPattern']} label={t('editor.serialPattern')} hint={t('editor.serialPatternHint')} wide />
          <EditField {...ep} path={['serialExample']} label={t('editor.serialExample')} hint={t('editor.serialExampleHint')} />
          <EditToggle {...ep} path={['stopOnFailure']} label={t('editor.stopOnFailure')} />
        </div>
      </section>

      {file.phases.map((ph) => (
        <PhaseBlock key={ph.name} phase={ph} ep={ep} />
      ))}

      {Object.keys(file.prompts).length > 0 ? (
        <section className="card editor-block" aria-labelledby="ed-prompts">
          <h3 id="ed-prompts" className="editor-block-title">
            {t('editor.promptTexts')}
          </h3>
          <div className="editor-grid">
            {Object.entries(file.prompts).flatMap(([k, p]) =>
              typeof p.message === 'string'
                ? [<EditField key={k} {...ep} path={['prompts', k, 'message']} label={k} wide />]
                : Object.keys(p.message).map((lng) => (
                    <EditField key={`${k}.${lng}`} {...ep} path={['prompts', k, 'message', lng]} label={`${k} (${lng})`} wide />
                  )),
            )}
          </div>
        </section>
      ) : null}

      <div className="editor-bar" role="region" aria-label={t('editor.saveChanges')}>
        <span className="editor-bar-count">
          {changes.length === 0 ? t('editor.noChange') : t('editor.fieldsChanged', { count: changes.length })}
          {localProblems > 0 ? <span className="editor-bar-problem"> · {t('editor.fixRed')}</span> : null}
        </span>
        <button
          type="button"
          className="button button--secondary"
          disabled={changes.length === 0 && Object.keys(edits).length === 0}
          onClick={() => setEdits({})}
        >
          {t('editor.undoAll')}
        </button>
        <button type="button" className="button button--primary" disabled={changes.length === 0 || localProblems > 0} onClick={() => setReviewing(true)}>
          {t('editor.review')}
        </button>
      </div>

      {reviewing ? (
        <section className="card save-review" aria-labelledby="save-review-title">
          <h3 id="save-review-title" className="editor-block-title" ref={reviewRef} tabIndex={-1}>
            {approvalRequired ? t('editor.submitTitle') : t('editor.saveTitle')}
          </h3>
          <ChangeList
            words={changes.map((c) => changeWords(c, refs.get(keyOf(c.path)), unitsOf(c), { notSet: t('editor.notSet'), prompt: t('editor.prompt') }))}
          />
          <form
            className="save-review-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <Field
              label={t('history.reason')}
              hint={approvalRequired ? t('editor.reasonHintApproval') : t('editor.reasonHint')}
              value={reason}
              maxLength={500}
              error={refused.reason}
              onChange={(e) => {
                setReason(e.target.value);
                setRefused(({ reason: _r, ...rest }) => rest);
              }}
            />
            <ListMessages error={formError} />
            <p className="list-meta">{approvalRequired ? t('editor.needsApproval') : t('editor.loadsBetweenRuns')}</p>
            <div className="save-review-actions">
              <button type="submit" className="button button--primary" disabled={busy}>
                {approvalRequired ? t('editor.submit') : t('editor.save')}
              </button>
              <button type="button" className="button button--secondary" onClick={() => setReviewing(false)}>
                {t('editor.back')}
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

function PhaseBlock({ phase, ep }: { phase: PhaseSpec; ep: EditProps }) {
  const { t } = useTranslation();
  const text = useProcedureText();
  const title = typeof phase.title === 'string' || phase.title === undefined ? phase.title : (text(defaultText(phase.title), phase.title) ?? undefined);
  const titleId = `ed-phase-${phase.name}`;
  const params = Object.keys(phase.params);
  return (
    <section className={`card editor-block editor-phase${phase.enabled ? '' : ' editor-phase--off'}`} aria-labelledby={titleId} role="group">
      <div className="editor-phase-head">
        <h3 id={titleId} className="editor-block-title">
          {title ? (
            <>
              {title} <span className="mono muted editor-phase-name">{phase.name}</span>
            </>
          ) : (
            <span className="mono">{phase.name}</span>
          )}
          <span className="muted small"> · {t(GROUP[phase.group])}</span>
        </h3>
        <EditToggle {...ep} path={['phases', phase.name, 'enabled']} label={t('editor.phaseEnabled')} />
      </div>
      <div className="editor-grid editor-grid--phase">
        <EditField {...ep} path={['phases', phase.name, 'timeoutMs']} label={t('editor.timeout')} unit="ms" />
        <EditField {...ep} path={['phases', phase.name, 'retry', 'count']} label={t('editor.retries')} placeholder={t('editor.none')} />
        <EditField {...ep} path={['phases', phase.name, 'retry', 'delayMs']} label={t('editor.retryDelay')} unit="ms" placeholder="0" />
        {params.map((k) =>
          ep.refs.get(keyOf(['phases', phase.name, 'params', k]))?.kind === 'bool' ? (
            <EditToggle key={k} {...ep} path={['phases', phase.name, 'params', k]} label={t('editor.parameter', { name: k })} />
          ) : (
            <EditField key={k} {...ep} path={['phases', phase.name, 'params', k]} label={t('editor.parameter', { name: k })} />
          ),
        )}
      </div>
      {phase.measurements.length > 0 ? (
        <div className="measurement-rows">
          {phase.measurements.map((m) => (
            <MeasurementRow key={m.name} phase={phase.name} m={m} ep={ep} />
          ))}
        </div>
      ) : (
        <p className="list-meta">{t('editor.noMeasurement')}</p>
      )}
    </section>
  );
}

function MeasurementRow({ phase, m, ep }: { phase: string; m: MeasurementSpec; ep: EditProps }) {
  const { t } = useTranslation();
  const kind = limitKind(m);
  const p = (f: string) => measurementPath(phase, m.name, f);
  const units = m.units;
  return (
    <div className="measurement-row" role="group" aria-label={t('editor.measurement', { name: m.name })}>
      <div className="measurement-row-name">
        <span className="mono strong">{m.name}</span>
        <span className="muted small">{t(KIND_TEXT[kind])}</span>
      </div>
      <div className="measurement-row-fields">
        <EditField {...ep} path={p('units')} label={t('editor.units')} />
        {kind === 'range' ? (
          <>
            <EditField {...ep} path={p('lower')} label={t('editor.lower')} unit={units} />
            <EditInclusive {...ep} path={p('lowerInclusive')} label={t('editor.lowerIs')} />
            <EditField {...ep} path={p('upper')} label={t('editor.upper')} unit={units} />
            <EditInclusive {...ep} path={p('upperInclusive')} label={t('editor.upperIs')} />
            <EditField {...ep} path={p('marginalLower')} label={t('editor.marginalFrom')} unit={units} placeholder={t('editor.optional')} />
            <EditField {...ep} path={p('marginalUpper')} label={t('editor.marginalTo')} unit={units} placeholder={t('editor.optional')} />
          </>
        ) : kind === 'equals' ? (
          <>
            {typeof m.equals === 'boolean' ? (
              <EditBoolSelect {...ep} path={p('equals')} label={t('editor.equals')} />
            ) : (
              <EditField {...ep} path={p('equals')} label={t('editor.equals')} unit={units} />
            )}
            {typeof m.equals === 'number' ? (
              <>
                <EditField {...ep} path={p('tolerance')} label={t('editor.tolerance')} unit={units} />
                <EditField {...ep} path={p('tolerancePercent')} label={t('editor.tolerance')} unit="%" />
              </>
            ) : null}
          </>
        ) : kind === 'regex' ? (
          <EditField {...ep} path={p('regex')} label={t('editor.mustMatch')} hint={t('editor.regexHint')} wide />
        ) : kind === 'oneOf' ? (
          <EditField {...ep} path={p('oneOf')} label={t('editor.oneOf')} hint={t('editor.oneOfHint')} wide />
        ) : (
          <p className="list-meta">{t('editor.byCodeText')}</p>
        )}
      </div>
    </div>
  );
}

const KIND_TEXT = {
  range: 'editor.kindRange',
  equals: 'editor.kindEquals',
  regex: 'editor.kindRegex',
  oneOf: 'editor.kindOneOf',
  code: 'editor.kindCode',
} as const;

/** The editor's own problems with what was typed, in the language on screen. */
function words(t: TFunction, problems: Readonly<Record<string, Problem>>): Record<string, string> {
  return Object.fromEntries(Object.entries(problems).map(([k, p]) => [k, p.params ? t(p.key, p.params as TOptions) : t(p.key)]));
}

import { useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { LiveSocket } from '#contract/live.ts';
import type { ProcedureChangeResult } from '#contract/procedures.ts';
import { useEventTick, useStationClient } from '../../api/station-context.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { shortHash } from '../../components/format.ts';
import { ChangeList } from './ChangeList.tsx';
import { DraftsPanel } from './DraftsPanel.tsx';
import { ProcedureEditor } from './ProcedureEditor.tsx';
import { ProcedureList } from './ProcedureList.tsx';
import { SocketAssign } from './SocketAssign.tsx';
import { VersionsPanel } from './VersionsPanel.tsx';
import './procedures.css';

type List = CommandOutput<'procedures.list'>;

interface Props {
  sockets: readonly LiveSocket[];
  runsEnded: number;
  /** Changes when a socket loads another procedure version (or fails to): the lists are read again. */
  loadedKey: string;
}

/**
 * The procedures of the sequence folder: which socket runs which, the values a supervisor tunes
 * without code, changes awaiting approval, and every version ever run (compare, roll back).
 */
export function ProceduresPage({ sockets, runsEnded, loadedKey }: Props) {
  const { t } = useTranslation();
  const client = useStationClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saved, setSaved] = useState<ProcedureChangeResult | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const savedRef = useRef<HTMLDivElement>(null);
  // A draft proposed, approved or rejected, a file edited on disk, a socket assigned: read again.
  const changed = useEventTick('procedures.changed');

  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    void client.invoke('procedures.list', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setList(r.value);
        setError(null);
        setSelected((s) => s ?? r.value.sockets[0]?.procedureId ?? r.value.procedures[0]?.id ?? null);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, tick, runsEnded, loadedKey, changed, t]);

  useEffect(() => {
    // What a save did (applied, or a draft waiting) is shown where the editor starts, in view.
    if (saved) savedRef.current?.scrollIntoView({ block: 'start' });
  }, [saved]);

  const refresh = (message: string | null): void => {
    setNotice(message);
    setTick((n) => n + 1);
  };
  const current = list?.procedures.find((p) => p.id === selected) ?? null;

  return (
    <section className="page procedures-page" aria-labelledby="procedures-title">
      <div className="page-head">
        <div>
          <h1 id="procedures-title" ref={heading} tabIndex={-1}>
            {t('nav.procedures')}
          </h1>
          <p className="list-meta">
            {list ? (
              <>
                <Trans i18nKey="procedures.fromFolder" values={{ folder: list.folder }} components={{ folder: <span className="mono" /> }} />{' '}
                {list.approvalRequired ? t('procedures.needApproval') : t('procedures.noApproval')}
              </>
            ) : (
              t('procedures.lead')
            )}
          </p>
        </div>
      </div>
      <ListMessages error={error} notice={notice} />
      <ListBody items={list?.procedures ?? null} error={error} empty={t('procedures.noneInFolder')}>
        {(rows) => (
          <ProcedureList
            items={rows}
            selected={selected}
            onOpen={(id) => {
              setSelected(id);
              setSaved(null);
              setNotice(null);
            }}
          />
        )}
      </ListBody>
      {list && list.sockets.length > 0 ? <SocketAssign list={list} live={sockets} onAssigned={refresh} /> : null}

      {current && selected ? (
        <>
          <DraftsPanel key={`d-${selected}`} procedureId={selected} refresh={`${tick} ${changed}`} onDecided={refresh} />
          <section className="procedure-section" aria-labelledby="editor-title">
            <h2 id="editor-title" className="section-title procedure-editor-title">
              {t('procedures.editTitle', { name: current.name ?? current.id })}
            </h2>
            {saved ? (
              <div className={`card save-result save-result--${saved.state}`} role="status" ref={savedRef}>
                <p className="save-result-title">
                  {saved.state === 'draft'
                    ? t('procedures.submitted', { version: saved.version })
                    : saved.hash
                      ? t('procedures.savedHash', { version: saved.version, hash: shortHash(saved.hash) })
                      : t('procedures.saved', { version: saved.version })}
                </p>
                <ChangeList words={saved.diff.map((d) => d.words)} label={t('procedures.savedChanges')} />
              </div>
            ) : null}
            {current.error ? (
              <p className="field-error" role="alert">
                {t('procedures.fixFirst', { error: current.error.message })}
              </p>
            ) : (
              <ProcedureEditor
                key={`e-${selected}-${current.hash ?? ''}`}
                procedureId={selected}
                approvalRequired={list?.approvalRequired ?? false}
                onSaved={(r) => {
                  setSaved(r);
                  refresh(null);
                }}
              />
            )}
          </section>
          <VersionsPanel
            key={`v-${selected}`}
            procedureId={selected}
            currentHash={current.hash}
            refresh={`${tick} ${changed} ${loadedKey}`}
            onChanged={refresh}
          />
        </>
      ) : null}
    </section>
  );
}

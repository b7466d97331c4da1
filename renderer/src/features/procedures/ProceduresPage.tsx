import { useEffect, useRef, useState } from 'react';
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
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, tick, runsEnded, loadedKey, changed]);

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
            Procedures
          </h1>
          <p className="list-meta">
            {list ? (
              <>
                From the sequence folder <span className="mono">{list.folder}</span>.{' '}
                {list.approvalRequired ? 'Changes need a second supervisor’s approval.' : 'Changes apply without approval (Settings: changes need approval).'}
              </>
            ) : (
              'The procedures of this station.'
            )}
          </p>
        </div>
      </div>
      <ListMessages error={error} notice={notice} />
      <ListBody items={list?.procedures ?? null} error={error} empty="The sequence folder holds no procedure.">
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
              Edit {current.name ?? current.id}
            </h2>
            {saved ? (
              <div className={`card save-result save-result--${saved.state}`} role="status" ref={savedRef}>
                <p className="save-result-title">
                  {saved.state === 'draft'
                    ? `Submitted for approval as ${saved.version}. The sockets keep running the current version until a second supervisor approves.`
                    : `Saved as ${saved.version}${saved.hash ? ` · ${shortHash(saved.hash)}` : ''}. Each socket loads it between runs.`}
                </p>
                <ChangeList words={saved.diff.map((d) => d.words)} label="Saved changes" />
              </div>
            ) : null}
            {current.error ? (
              <p className="field-error" role="alert">
                This procedure does not load ({current.error.message}): fix its files first.
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

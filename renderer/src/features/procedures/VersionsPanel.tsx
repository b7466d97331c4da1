import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { ProcedureVersionItem } from '#contract/procedures.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { shortHash } from '../../components/format.ts';
import { HashChip } from './HashChip.tsx';
import { FileDiff } from './UnifiedDiff.tsx';
import { RollbackForm } from './RollbackForm.tsx';

type Comparison = CommandOutput<'procedures.compare'>;

/**
 * Every version of a procedure the station has loaded, newest first: pick any two to compare
 * (file by file, lines added and removed), or roll back to an earlier one with a reason.
 */
export function VersionsPanel({
  procedureId,
  currentHash,
  refresh,
  onChanged,
}: {
  procedureId: string;
  currentHash: string | null;
  refresh: string;
  onChanged(notice: string): void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [versions, setVersions] = useState<ProcedureVersionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [compared, setComparison] = useState<Comparison | null>(null);
  const [rollbackTo, setRollbackTo] = useState<ProcedureVersionItem | null>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('procedures.versions', { procedureId }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setVersions(r.value.versions);
        setError(null);
        // On each (re)load: the newest against the one before it, so a new version shows what it changed.
        setTo(r.value.versions[0]?.hash ?? null);
        setFrom(r.value.versions[1]?.hash ?? null);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, procedureId, refresh, currentHash, t]);

  useEffect(() => {
    if (!from || !to || from === to) return;
    let live = true;
    void client.invoke('procedures.compare', { procedureId, fromHash: from, toHash: to }).then((r) => {
      if (!live) return;
      if (r.ok) setComparison(r.value);
      else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, procedureId, from, to, t]);

  // Only the comparison of the pair picked now (a slower answer for an earlier pair is not shown).
  const comparison = compared && compared.from.hash === from && compared.to.hash === to ? compared : null;

  const columns: Column<ProcedureVersionItem>[] = [
    {
      key: 'version',
      header: t('procedures.version'),
      cell: (v) => (
        <>
          <span className="strong">{v.version}</span>
          {v.hash === currentHash ? <span className="proc-tag proc-tag--on version-current">{t('procedures.loadedNow')}</span> : null}
        </>
      ),
    },
    { key: 'hash', header: t('procedures.hash'), cell: (v) => <HashChip hash={v.hash} /> },
    { key: 'loaded', header: t('procedures.firstLoaded'), cell: (v) => f.dateTime(v.firstLoadedAt) },
    {
      key: 'compare',
      header: t('procedures.compare'),
      cell: (v) => (
        <div className="version-pick" role="group" aria-label={t('procedures.compareLabel', { version: v.version, hash: shortHash(v.hash) })}>
          <label>
            <input type="radio" name="compare-from" checked={from === v.hash} onChange={() => setFrom(v.hash)} /> {t('history.from')}
          </label>
          <label>
            <input type="radio" name="compare-to" checked={to === v.hash} onChange={() => setTo(v.hash)} /> {t('history.to')}
          </label>
        </div>
      ),
    },
    {
      key: 'actions',
      header: t('common.actions'),
      cell: (v) =>
        v.hash === currentHash ? null : (
          <button type="button" className="button button--secondary procedure-action" onClick={() => setRollbackTo(v)}>
            {t('procedures.rollbackTo', { version: v.version })}
          </button>
        ),
    },
  ];

  return (
    <section className="card procedure-section" aria-labelledby="versions-title">
      <h2 id="versions-title" className="section-title">
        {t('procedures.versions')}
      </h2>
      <p className="list-meta">{t('procedures.versionsLead')}</p>
      <ListMessages error={error} />
      <ListBody items={versions} error={error} empty={t('procedures.noVersion')}>
        {(rows) => <DataTable label={t('procedures.versions')} columns={columns} rows={rows} rowKey={(v) => v.hash} />}
      </ListBody>
      {rollbackTo ? (
        <RollbackForm
          procedureId={procedureId}
          target={rollbackTo}
          onCancel={() => setRollbackTo(null)}
          onDone={(notice) => {
            setRollbackTo(null);
            onChanged(notice);
          }}
        />
      ) : null}
      {comparison ? (
        <div className="version-compare" role="region" aria-label={t('procedures.versionCompare')}>
          <h3 className="version-compare-title">
            {comparison.from.version} <span className="mono muted">{shortHash(comparison.from.hash)}</span> → {comparison.to.version}{' '}
            <span className="mono muted">{shortHash(comparison.to.hash)}</span>
          </h3>
          {comparison.files.filter((f) => f.status !== 'unchanged').length === 0 ? <p className="list-meta">{t('procedures.sameFiles')}</p> : null}
          {comparison.files
            .filter((f) => f.status !== 'unchanged')
            .map((f) => (
              <FileDiff key={f.name} file={f} />
            ))}
          {comparison.files.some((f) => f.status === 'unchanged') ? (
            <p className="list-meta">
              {t('procedures.unchanged')}{' '}
              {comparison.files
                .filter((f) => f.status === 'unchanged')
                .map((f) => f.name)
                .join(', ')}
            </p>
          ) : null}
        </div>
      ) : from && to && from === to ? (
        <p className="list-meta">{t('procedures.sameVersion')}</p>
      ) : null}
    </section>
  );
}

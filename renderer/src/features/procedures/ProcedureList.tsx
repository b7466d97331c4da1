import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ProcedureListItem } from '#contract/procedures.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { HashChip } from './HashChip.tsx';

/** A file of the procedure by its name in the folder (the folder is the row's). */
const relative = (file: string, dir: string): string => (file.startsWith(`${dir}/`) ? file.slice(dir.length + 1) : (file.split(/[\\/]/).pop() ?? file));

/** The loader's message without the "file:line: field: " it starts with (shown above it). */
function plainMessage(e: NonNullable<ProcedureListItem['error']>): string {
  let m = e.message.replace(/^\S+:\d+: /, '');
  if (e.field && m.startsWith(`${e.field}: `)) m = m.slice(e.field.length + 2);
  return m.charAt(0).toUpperCase() + m.slice(1);
}

const socketsText = (t: TFunction, s: readonly number[]): string =>
  s.length === 0 ? t('editor.none') : s.map((n) => t('operator.socket', { socket: n + 1 })).join(', ');

/** Every procedure folder in the sequence folder: what it is, its hash, who runs it, and whether it loads. */
export function ProcedureList({ items, selected, onOpen }: { items: readonly ProcedureListItem[]; selected: string | null; onOpen(id: string): void }) {
  const { t } = useTranslation();
  const columns: Column<ProcedureListItem>[] = [
    {
      key: 'procedure',
      header: t('history.procedure'),
      cell: (p) => (
        <>
          <span className="strong procedure-list-name">{p.name ?? p.id}</span>
          {p.name !== null ? <div className="muted small mono">{p.id}</div> : null}
        </>
      ),
    },
    {
      key: 'version',
      header: t('procedures.version'),
      cell: (p) => (p.version ? <span className="strong">{p.version}</span> : <span className="muted">—</span>),
    },
    { key: 'hash', header: t('procedures.hash'), cell: (p) => (p.hash ? <HashChip hash={p.hash} /> : <span className="muted">—</span>) },
    {
      key: 'sockets',
      header: t('procedures.runsOn'),
      cell: (p) => <span className={p.sockets.length === 0 ? 'muted' : undefined}>{socketsText(t, p.sockets)}</span>,
    },
    {
      key: 'state',
      header: t('uploads.state'),
      cell: (p) =>
        p.error ? (
          <div className="load-error" role="note">
            <span className="proc-tag proc-tag--error">{t('procedures.doesNotLoad')}</span>
            <div className="load-error-where mono">
              {[
                p.error.file ? relative(p.error.file, p.dir) : null,
                p.error.line !== undefined ? t('procedures.line', { line: p.error.line }) : null,
                p.error.field,
              ]
                .filter(Boolean)
                .join(' · ')}
            </div>
            <div className="load-error-text">{plainMessage(p.error)}</div>
          </div>
        ) : p.pendingDrafts > 0 ? (
          <span className="proc-tag proc-tag--draft">{t('procedures.pending', { count: p.pendingDrafts })}</span>
        ) : (
          <span className="proc-tag proc-tag--on">{t('procedures.loads')}</span>
        ),
    },
    {
      key: 'open',
      header: t('procedures.edit'),
      cell: (p) =>
        p.id === selected ? (
          <span className="strong">{t('procedures.openBelow')}</span>
        ) : (
          <button
            type="button"
            className="button button--secondary procedure-action"
            onClick={() => onOpen(p.id)}
            aria-label={t('procedures.openLabel', { name: p.name ?? p.id })}
          >
            {t('procedures.open')}
          </button>
        ),
    },
  ];
  return <DataTable label={t('nav.procedures')} columns={columns} rows={items} rowKey={(p) => p.id} />;
}

import { useTranslation } from 'react-i18next';
import type { ProcedureFileChange } from '#contract/procedures.ts';
import { shortHash } from '../../components/format.ts';

type Line = { kind: 'add' | 'del' | 'ctx' | 'hunk'; text: string; from: number | null; to: number | null };

/** A unified diff's lines with the line numbers of each side (the `---`/`+++` header is dropped: the file is named above). */
export function diffLines(diff: string): Line[] {
  const out: Line[] = [];
  let a = 0;
  let b = 0;
  for (const raw of diff.split('\n')) {
    if (raw.startsWith('--- ') || raw.startsWith('+++ ')) continue;
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(raw);
    if (h) {
      a = Number(h[1]);
      b = Number(h[2]);
      out.push({ kind: 'hunk', text: h[3]?.trim() ?? '', from: a, to: b });
    } else if (raw.startsWith('+')) out.push({ kind: 'add', text: raw.slice(1), from: null, to: b++ });
    else if (raw.startsWith('-')) out.push({ kind: 'del', text: raw.slice(1), from: a++, to: null });
    else if (raw.startsWith(' ')) out.push({ kind: 'ctx', text: raw.slice(1), from: a++, to: b++ });
    else if (raw.startsWith('\\')) continue;
  }
  return out;
}

const STATUS_TEXT = {
  unchanged: 'diff.unchanged',
  added: 'diff.added',
  removed: 'diff.removed',
  changed: 'diff.changed',
} as const satisfies Record<ProcedureFileChange['status'], string>;

/** One file of a comparison: its name and status, then its lines, added green with +, removed red with −. */
export function FileDiff({ file }: { file: ProcedureFileChange }) {
  const { t } = useTranslation();
  const lines = file.diff ? diffLines(file.diff) : [];
  return (
    <section className={`file-diff file-diff--${file.status}`} aria-label={`${file.name}, ${t(STATUS_TEXT[file.status])}`}>
      <header className="file-diff-head">
        <span className="mono file-diff-name">{file.name}</span>
        <span className={`file-diff-status file-diff-status--${file.status}`}>{t(STATUS_TEXT[file.status])}</span>
        <span className="muted small mono">
          {file.fromSha256 ? shortHash(file.fromSha256) : '—'} → {file.toSha256 ? shortHash(file.toSha256) : '—'}
        </span>
      </header>
      {lines.length > 0 ? (
        <table className="diff-lines" aria-label={t('diff.linesOf', { file: file.name })}>
          <tbody>
            {lines.map((l, i) =>
              l.kind === 'hunk' ? (
                <tr key={i} className="diff-line diff-line--hunk">
                  <td colSpan={4}>
                    ⋯ {t('diff.fromLine', { line: l.to })} {l.text ? <span className="mono">{l.text}</span> : null}
                  </td>
                </tr>
              ) : (
                <tr key={i} className={`diff-line diff-line--${l.kind}`}>
                  <td className="diff-num">{l.from ?? ''}</td>
                  <td className="diff-num">{l.to ?? ''}</td>
                  <td className="diff-sign" aria-label={l.kind === 'add' ? t('diff.added') : l.kind === 'del' ? t('diff.removed') : undefined}>
                    {l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ''}
                  </td>
                  <td className="diff-text">{l.text || ' '}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      ) : file.status === 'unchanged' ? null : (
        <p className="list-meta file-diff-none">{file.diff === null && file.status === 'changed' ? t('diff.shaOnly') : null}</p>
      )}
    </section>
  );
}

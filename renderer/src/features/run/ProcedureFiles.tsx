import { useTranslation } from 'react-i18next';
import type { ProcedureRef } from '#contract/records.ts';
import { shortHash } from '../../components/format.ts';

/**
 * The files the run's procedure hash covers, each with its sha256: between two runs, an
 * auditor sees which file changed (the full values are in the title and in every export).
 */
export function ProcedureFiles({ procedure }: { procedure: ProcedureRef }) {
  const { t } = useTranslation();
  const files = procedure.files;
  return (
    <section className="card procedure-files" aria-labelledby="procedure-files-title">
      <div className="procedure-files-head">
        <h2 id="procedure-files-title" className="section-title">
          {t('run.files')}
        </h2>
        <span className="section-meta">{t('run.filesMeta')}</span>
      </div>
      {files && files.length > 0 ? (
        <table className="runs procedure-files-table" aria-label={t('run.filesLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('run.file')}</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr key={f.name}>
                <th scope="row" className="mono">
                  {f.name}
                </th>
                <td className="mono" title={f.sha256}>
                  {shortHash(f.sha256)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="list-meta">{t('run.noFiles')}</p>
      )}
    </section>
  );
}

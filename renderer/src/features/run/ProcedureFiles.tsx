import type { ProcedureRef } from '#contract/records.ts';
import { shortHash } from '../../components/format.ts';

/**
 * The files the run's procedure hash covers, each with its sha256: between two runs, an
 * auditor sees which file changed (the full values are in the title and in every export).
 */
export function ProcedureFiles({ procedure }: { procedure: ProcedureRef }) {
  const files = procedure.files;
  return (
    <section className="card procedure-files" aria-labelledby="procedure-files-title">
      <div className="procedure-files-head">
        <h2 id="procedure-files-title" className="section-title">
          Procedure files
        </h2>
        <span className="section-meta">what the procedure hash above covers</span>
      </div>
      {files && files.length > 0 ? (
        <table className="runs procedure-files-table" aria-label="Files of the procedure">
          <thead>
            <tr>
              <th scope="col">File</th>
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
        <p className="list-meta">No file list was kept with this run: it was recorded by an older Passline, or imported from a record without one.</p>
      )}
    </section>
  );
}

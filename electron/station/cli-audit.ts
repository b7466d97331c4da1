/**
 * `passline audit verify [--data-dir D]`: recomputes the station's audit trail (store/audit.ts)
 * from its database file, read-only, so a running station is not disturbed. One line out.
 * Exit code: 0 intact, 1 broken (the first entry that does not match is named), 2 a usage
 * problem or no database to check.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditVerify } from '#contract/audit.ts';
import { defaultDataDir } from './settings/data-dir.ts';
import { DB_FILE } from './store/db.ts';
import { verifyAuditFile } from './store/audit.ts';
import { isCorruptionError } from './store/salvage.ts';

export const AUDIT_USAGE = `usage: passline audit verify [--data-dir D]
  recomputes every entry's hash and its link to the entry before; names the first that does not match
  --data-dir D     the station's data folder (default: ${defaultDataDir()})
exit code: 0 intact, 1 broken, 2 a usage problem or no database`;

/** The one line `passline audit verify` prints. */
export function describeVerify(v: AuditVerify): string {
  if (!v.ok && v.firstBad) return `audit trail broken at entry ${v.firstBad.seq}: ${v.firstBad.reason}`;
  const lost = v.gaps.length
    ? v.gaps.map((g) => (g.count === 1 ? `entry ${g.afterSeq + 1}` : `entries ${g.afterSeq + 1}–${g.afterSeq + g.count}`)).join(', ') +
      ' lost in a salvage of the damaged database'
    : 'none';
  return `audit trail intact: ${v.entries} entries (gaps: ${lost})`;
}

export function auditMain(args: string[], out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l)): number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`passline: ${(e as Error).message}\n${AUDIT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(AUDIT_USAGE);
    return 0;
  }
  if (positionals[0] !== 'verify' || positionals.length > 1) {
    err(`passline: expected "audit verify"\n${AUDIT_USAGE}`);
    return 2;
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const path = join(dataDir, DB_FILE);
  if (!existsSync(path)) {
    err(`passline: no station database in ${dataDir} (looked for ${path}); pass --data-dir`);
    return 2;
  }
  let result: AuditVerify;
  try {
    result = verifyAuditFile(path);
  } catch (e) {
    const message = (e as Error).message;
    // A file too damaged to read cannot show an intact trail; anything else is not about the trail.
    if (isCorruptionError(e)) {
      out(`audit trail broken: the database cannot be read (${message})`);
      return 1;
    }
    err(`passline: ${message}`);
    return 2;
  }
  out(describeVerify(result));
  return result.ok ? 0 : 1;
}

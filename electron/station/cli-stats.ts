/**
 * `passline stats <procedure> [--data-dir D] [--sequences DIR] [--measurement phase.name]
 * [--from ISO] [--to ISO] [--version V] [--group-by G] [--json]`: the figures the supervisor's
 * screens show (stats/service.ts, the same code), read-only from a station's data folder, so a
 * running station is not disturbed. The station's settings file gives the shifts, the
 * reference serial pattern and the SPC rules. Exit code: 0, or 2 for a usage problem or
 * nothing to read (one line naming the flag or the folder).
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SPC_RULES, YIELD_GROUPS, type SpcResult, type SpcRule, type YieldFigures, type YieldGroup, type YieldResult } from '#contract/stats.ts';
import { StationFault } from '#contract/errors.ts';
import { defaultDataDir } from './settings/data-dir.ts';
import { parseSettings, readLastGood } from './settings/settings.ts';
import { DB_FILE, SCHEMA_VERSION } from './store/db.ts';
import { AuditLog } from './store/audit.ts';
import { PROCEDURE_FILE, findProcedureDir, parseProcedureFile } from './procedures/load.ts';
import { StatsService, type StatsSettings } from './stats/service.ts';
import { indexBehind } from './stats/stat-writer.ts';

export const STATS_USAGE = `usage: passline stats <procedure id or folder> [options]
  yield of the procedure's runs (first pass, final, retest rate, volume, test time), and with
  --measurement its SPC (n, mean, sigmas, Cp, Cpk, Pp, Ppk, % outside, rule violations) per limit version
  --data-dir D           the station's data folder (default: ${defaultDataDir()})
  --sequences DIR        where to find the procedure when named by id (checks that it exists)
  --measurement P.NAME   a numeric measurement as phase.name (e.g. rail_3v3.v_3v3)
  --from ISO --to ISO    runs started in this time range (from inclusive, to exclusive)
  --version V            only runs of this procedure version
  --group-by G           yield per ${YIELD_GROUPS.join(', ')}
  --rules 1,2,…          control-chart rules to check (default: the station's spcRules)
  --points N             with --json, the newest N chart points per limit version (default 0)
  --json                 one JSON object: {yield, spc}, as the stats.yield and stats.spc commands give them
exit code: 0, or 2 for a usage problem or nothing to read`;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

class Usage extends Error {}

/** parseArgs' refusals in one line that names the flag. */
function flagProblem(e: Error): string {
  const m = /'(--?[\w-]+)/.exec(e.message);
  const flag = m?.[1] ?? '';
  const code = (e as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${flag} is not a flag of passline stats (see passline stats --help)`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${flag} needs a value`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `give one procedure (an id or a folder); "${/'([^']+)'/.exec(e.message)?.[1] ?? ''}" is one too many`;
  return e.message.split('\n')[0]!;
}

export function statsMain(args: string[], out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l)): Promise<number> {
  return run(args, out, err).catch((e: unknown) => {
    err(`passline stats: ${e instanceof Usage || e instanceof StationFault ? e.message : (e as Error).message}`);
    return 2;
  });
}

async function run(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        sequences: { type: 'string' },
        measurement: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        version: { type: 'string' },
        'group-by': { type: 'string' },
        rules: { type: 'string' },
        points: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new Usage(flagProblem(e as Error));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    out(STATS_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new Usage(positionals.length ? `give one procedure (an id or a folder), not ${positionals.length}` : 'give the procedure (an id or a folder): passline stats <procedure>');
  for (const f of ['from', 'to'] as const) {
    const x = v[f];
    if (x !== undefined && (!ISO.test(x) || Number.isNaN(Date.parse(x)))) throw new Usage(`--${f} ${x}: not an ISO date-time with its zone (e.g. 2026-03-02T06:00:00Z)`);
  }
  if (v.from && v.to && Date.parse(v.to) <= Date.parse(v.from)) throw new Usage(`--to ${v.to} is not after --from ${v.from}`);
  const groupBy = v['group-by'];
  if (groupBy !== undefined && !(YIELD_GROUPS as readonly string[]).includes(groupBy)) throw new Usage(`--group-by ${groupBy}: one of ${YIELD_GROUPS.join(', ')}`);
  let rules: SpcRule[] | undefined;
  if (v.rules !== undefined) {
    const list = v.rules.split(',').map((x) => Number(x.trim()));
    const bad = v.rules.split(',').find((x) => !(SPC_RULES as readonly number[]).includes(Number(x.trim())));
    if (bad !== undefined) throw new Usage(`--rules ${v.rules}: "${bad}" is not a rule (1 to 8, e.g. --rules 1,2,5)`);
    rules = [...new Set(list)].sort((a, b) => a - b) as SpcRule[];
  }
  const points = v.points === undefined ? 0 : Number(v.points);
  if (!Number.isInteger(points) || points < 0 || points > 200_000) throw new Usage(`--points ${v.points}: a whole number from 0 to 200000`);
  if (v.measurement !== undefined && !v.measurement.includes('.')) throw new Usage(`--measurement ${v.measurement}: give it as phase.name (e.g. rail_3v3.v_3v3)`);

  const procedureId = await procedureIdOf(positionals[0]!, v.sequences);
  const dataDir = resolve(v['data-dir'] ?? defaultDataDir());
  const path = join(dataDir, DB_FILE);
  if (!existsSync(path)) throw new Usage(`no station database in ${dataDir} (looked for ${path}); pass --data-dir`);
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (version < SCHEMA_VERSION) throw new Usage(`the database in ${dataDir} is from an older Passline (schema ${version}); start the station once to bring it up to date`);
    if (version > SCHEMA_VERSION) throw new Usage(`the database in ${dataDir} was written by a newer Passline (schema ${version}); update Passline`);
    const known = db.prepare('SELECT 1 FROM runs WHERE procedure_id = ? LIMIT 1').get(procedureId);
    if (!known) {
      const ids = (db.prepare('SELECT DISTINCT procedure_id AS id FROM runs ORDER BY id LIMIT 20').all() as { id: string }[]).map((r) => r.id);
      throw new Usage(`no runs of procedure "${procedureId}" in ${dataDir}${ids.length ? ` (procedures with runs: ${ids.join(', ')})` : ' (no runs at all)'}`);
    }
    // The station indexes each run's values just after it; a station stopped in between does it at its next start.
    if (indexBehind(db)) err('passline stats: note: the measurement values of the last runs are not indexed yet (the station does it when it runs next); SPC leaves them out');
    const settings = stationSettings(dataDir);
    const stats = new StatsService(db, () => settings, { audit: new AuditLog(db), write: false });
    const filter = {
      procedureId,
      ...(v.version !== undefined ? { version: v.version } : {}),
      ...(v.from !== undefined ? { from: v.from } : {}),
      ...(v.to !== undefined ? { to: v.to } : {}),
    };
    const y = stats.yield({ ...filter, ...(groupBy !== undefined ? { groupBy: groupBy as YieldGroup } : {}) });
    const spc = v.measurement === undefined ? null : stats.spc({ ...filter, measurement: v.measurement, maxPoints: points, ...(rules ? { rules } : {}) });
    if (v.json) out(JSON.stringify({ yield: y, spc }));
    else for (const line of [...describeYield(y, filter), ...(spc ? describeSpc(spc) : [])]) out(line);
    return 0;
  } finally {
    db.close();
  }
}

/** An id as given, or the id in a procedure folder's procedure.yaml; with --sequences, checked to be there. */
async function procedureIdOf(arg: string, sequences: string | undefined): Promise<string> {
  const dir = resolve(arg);
  if (existsSync(join(dir, PROCEDURE_FILE)) && statSync(dir).isDirectory()) return parseProcedureFile(readFileSync(join(dir, PROCEDURE_FILE), 'utf8'), PROCEDURE_FILE).id;
  if (sequences !== undefined) {
    if (!existsSync(sequences)) throw new Usage(`--sequences ${sequences}: no such folder`);
    await findProcedureDir(resolve(sequences), arg);
  }
  return arg;
}

/** The statistics settings of the station's settings file (read only; a bad field as the station would take it). */
function stationSettings(dataDir: string): StatsSettings {
  const path = join(dataDir, 'settings.json');
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    /* no file, or not JSON: the last good copy or the defaults, as the station starts */
  }
  const { settings } = parseSettings(raw, path, readLastGood(dataDir).lastGood);
  return { shifts: settings.shifts, referenceSerialPattern: settings.referenceSerialPattern, spcRules: settings.spcRules, yieldAlert: settings.yieldAlert };
}

const pct = (x: number | null): string => (x === null ? '–' : `${(Math.round(x * 1000) / 10).toFixed(1)} %`);
const num = (x: number | null, digits = 4): string => (x === null ? '–' : Number(x.toPrecision(digits)).toString());

function figures(f: YieldFigures): string {
  return (
    `${f.unitsTested} units: first pass ${pct(f.firstPassYield)}, final ${pct(f.finalYield)}, retested ${pct(f.retestRate)}; ` +
    `${f.runs} runs (${f.passRuns} PASS, ${f.failRuns} FAIL, ${f.errorRuns} ERROR, ${f.abortedRuns} ABORTED); ` +
    `test time mean ${f.meanTestMs === null ? '–' : Math.round(f.meanTestMs)} ms, p95 ${f.p95TestMs === null ? '–' : Math.round(f.p95TestMs)} ms`
  );
}

function describeYield(y: YieldResult, f: { version?: string; from?: string; to?: string }): string[] {
  const scope = [f.version ? `version ${f.version}` : 'all versions', f.from || f.to ? `${f.from ?? 'the start'} to ${f.to ?? 'now'}` : 'all runs'].join(', ');
  const lines = [`${y.procedureId} (${scope}): ${figures(y.total)}`];
  for (const r of y.rows) lines.push(`  ${y.groupBy} ${r.key || '(none)'}: ${figures(r)}`);
  if (y.reference.runs > 0) lines.push(`  reference units (${y.referenceSerialPattern}), not in the figures above: ${figures(y.reference)}`);
  return lines;
}

function describeSpc(s: SpcResult): string[] {
  const u = s.units ? ` ${s.units}` : '';
  const lines: string[] = [];
  s.segments.forEach((g, i) => {
    const lim = `${g.limits.lower ?? '−∞'} … ${g.limits.upper ?? '+∞'}${u}`;
    lines.push(
      `${s.measurement} limits ${lim} (${g.versions.join(', ')}; ${g.firstAt ?? '–'} to ${g.lastAt ?? '–'}): n ${g.n}, mean ${num(g.mean, 6)}${u}, ` +
        `sigma overall ${num(g.sigmaOverall)}, sigma within ${num(g.sigmaWithin)}, Cp ${num(g.cp, 3)}, Cpk ${num(g.cpk, 3)}, Pp ${num(g.pp, 3)}, Ppk ${num(g.ppk, 3)}, ` +
        `outside ${g.outside} (${g.pctOutside === null ? '–' : `${num(g.pctOutside, 3)} %`})`,
    );
    const broken = g.violations.filter((x) => x.count > 0);
    lines.push(
      broken.length
        ? broken.map((x) => `  rule ${x.rule} (${x.name}): ${x.count} point${x.count === 1 ? '' : 's'}`).join('\n')
        : `  rules ${s.rules.join(', ') || '(none)'}: no point breaks them`,
    );
    const change = s.limitChanges.find((c) => c.segment === i);
    if (change) lines.push(`  limits changed ${change.at}${change.actor ? ` by ${change.actor}` : ''}${change.reason ? `: ${change.reason}` : ''}`);
  });
  if (s.excluded.errorOrAborted || s.excluded.reference) lines.push(`  left out: ${s.excluded.errorOrAborted} values of ERROR/ABORTED runs, ${s.excluded.reference} of reference units`);
  return lines;
}

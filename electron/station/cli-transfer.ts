/**
 * `passline export` and `passline import`: the run page's export and import (the same
 * functions in formats/transfer.ts) on a station's data folder, for scripts and audits.
 * Exit code: 0 done, 2 a usage problem or nothing to do.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StationFault } from '#contract/errors.ts';
import type { RunRecord } from '#contract/records.ts';
import { ExportFormatSchema } from '#contract/upload.ts';
import { defaultDataDir } from './settings/data-dir.ts';
import { DB_FILE, openStore } from './store/db.ts';
import { RunsRepo } from './store/runs-repo.ts';
import { AttachmentStore } from './store/attachments.ts';
import { exportRuns, formatRun, importRuns, runFileName } from './formats/transfer.ts';
import { toTofuPilotRun } from './formats/tofupilot.ts';

export const EXPORT_USAGE = `usage: passline export <run id> | --serial SN | --from T [--to T]  --format F [options]
  --format F       native, ocp, openhtf or tofupilot (the TofuPilot v2 run request)
  --serial SN      every run of this unit (exactly this serial number)
  --from T --to T  runs that started in [from, to): ISO times or dates (native only)
  --out PATH       a file (one run, or native lines); a folder for several runs in another format
                   (default: standard output for one file)
  --data-dir D     the station's data folder (default: ${defaultDataDir()})
  --procedure-id I TofuPilot procedure id (default: the Passline procedure id)`;

export const IMPORT_USAGE = `usage: passline import FILE --format native|openhtf [--data-dir D]
  stores every run in FILE; runs already stored (same id) are skipped, so it can be repeated`;

class UsageError extends Error {}

function problem(message: string): never {
  throw new UsageError(message);
}

/** The station's database for reading: read-only, so a running station is never disturbed. */
function openForExport(dataDir: string): RunsRepo {
  const path = join(dataDir, DB_FILE);
  if (!existsSync(path)) problem(`no station database in ${dataDir} (looked for ${path}); pass --data-dir`);
  return new RunsRepo(new DatabaseSync(path, { readOnly: true }));
}

const isDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** A date or an ISO time, as the store compares them (UTC ISO strings). */
function time(flag: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(isDay(v) ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) problem(`${flag} ${v}: expected a date (2026-12-03) or an ISO time (2026-12-03T08:00:00Z)`);
  return new Date(t).toISOString();
}

export async function exportCommand(args: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<string[]> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      serial: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      'procedure-id': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(EXPORT_USAGE + '\n');
    return [];
  }
  const runId = positionals[0];
  const ways = [runId !== undefined, values.serial !== undefined, values.from !== undefined || values.to !== undefined].filter(Boolean).length;
  if (ways !== 1) problem(`name the runs one way: a run id, --serial SN, or --from/--to\n${EXPORT_USAGE}`);
  if (positionals.length > 1) problem(`one run id at a time (got ${positionals.join(', ')}); use --serial or --from/--to for several`);
  const format = values.format;
  if (format === undefined) problem(`--format is required: native, ocp, openhtf or tofupilot`);
  if (format !== 'tofupilot' && !ExportFormatSchema.safeParse(format).success) problem(`--format ${format}: expected native, ocp, openhtf or tofupilot`);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const repo = openForExport(dataDir);
  // The files travel with the runs, as from the run page (each checked against its sha256 as it is read).
  const files = new AttachmentStore(dataDir);
  try {
    const written: string[] = [];
    const write = (path: string | undefined, content: string): void => {
      if (path === undefined) out(content.endsWith('\n') ? content : content + '\n');
      else {
        writeFileSync(path, content);
        written.push(path);
      }
    };
    const render = (rec: RunRecord): string =>
      format === 'tofupilot'
        ? JSON.stringify(toTofuPilotRun(rec, values['procedure-id'] ?? rec.procedure.id), null, 2) + '\n'
        : formatRun(rec, ExportFormatSchema.parse(format), files);
    const fileName = (rec: RunRecord): string =>
      format === 'tofupilot' ? runFileName(rec, 'native').replace(/\.json$/, '.tofupilot.json') : runFileName(rec, ExportFormatSchema.parse(format));

    if (runId !== undefined) {
      const rec = getRun(repo, runId);
      if (rec.outcome === 'RUNNING') problem(`run ${runId} is still running: export it when it has ended`);
      if (format === 'tofupilot') write(values.out, render(rec));
      else {
        const r = exportRuns(repo, { format: ExportFormatSchema.parse(format), runId, limit: 1 }, files);
        for (const w of r.warnings ?? []) console.error(`passline: ${w}`);
        write(values.out, r.content);
      }
      return written;
    }
    if (values.serial !== undefined) {
      const runs = repo.unitHistory(values.serial).filter((r) => r.outcome !== 'RUNNING');
      if (!runs.length) problem(`no finished run of serial number "${values.serial}" in ${dataDir}`);
      if (format === 'native') {
        // One file of native JSON lines, as a range export makes.
        write(values.out, runs.map((r) => JSON.stringify(JSON.parse(formatRun(getRun(repo, r.id), 'native', files)))).join('\n') + '\n');
        return written;
      }
      if (runs.length === 1) {
        write(values.out, render(getRun(repo, runs[0]!.id)));
        return written;
      }
      if (values.out === undefined) problem(`${runs.length} runs of "${values.serial}" in ${format}: one file each, so --out must name a folder`);
      mkdirSync(values.out, { recursive: true });
      for (const r of runs) {
        const rec = getRun(repo, r.id);
        write(join(values.out, fileName(rec)), render(rec));
      }
      return written;
    }
    if (format !== 'native') problem(`--from/--to export native JSON lines (--format native); export one run by its id for ${format}`);
    const from = time('--from', values.from);
    const to = time('--to', values.to);
    const r = exportRuns(repo, { format: 'native', from, to, limit: 1_000_000 }, files);
    for (const w of r.warnings ?? []) console.error(`passline: ${w}`);
    if (r.count === 0 && !r.skipped?.length) problem(`no finished run started in [${from ?? 'the start'}, ${to ?? 'now'}) in ${dataDir}`);
    write(values.out, r.content);
    for (const s of r.skipped ?? []) console.error(`passline: run ${s.runId} left out: ${s.message}`);
    return written;
  } finally {
    repo.db.close();
  }
}

function getRun(repo: RunsRepo, id: string): RunRecord {
  try {
    return repo.getRun(id);
  } catch (e) {
    if (e instanceof StationFault && e.kind === 'not-found') problem(`no run ${id} on this station`);
    throw e;
  }
}

export async function importCommand(args: string[]): Promise<{ imported: string[]; skipped: string[] }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(IMPORT_USAGE);
    return { imported: [], skipped: [] };
  }
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length) problem(`expected one FILE\n${IMPORT_USAGE}`);
  const format = values.format;
  if (format !== 'native' && format !== 'openhtf') problem(`--format ${format ?? '(missing)'}: expected native or openhtf`);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    problem(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const { db } = openStore(dataDir);
  try {
    const r = importRuns(new RunsRepo(db), format, content, new AttachmentStore(dataDir));
    for (const w of r.warnings ?? []) console.error(`passline: ${w}`);
    return r;
  } catch (e) {
    // A bad file is named with what was wrong in it, as the run page shows it.
    if (e instanceof StationFault) problem(`${file}: ${e.message}`);
    throw e;
  } finally {
    db.close();
  }
}

/** Runs `passline export|import …`; resolves with the exit code. */
export async function transferMain(command: 'export' | 'import', args: string[]): Promise<number> {
  try {
    if (command === 'export') {
      const written = await exportCommand(args);
      for (const f of written) console.error(`passline: wrote ${f}`);
    } else {
      const r = await importCommand(args);
      console.log(`imported ${r.imported.length} run(s)${r.skipped.length ? `; ${r.skipped.length} already stored, skipped` : ''}`);
      for (const id of r.imported) console.log(id);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof StationFault || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`passline: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}

/**
 * `passline run <procedure> --serial SN [--param k=v] [--answer q=a] [--json]`:
 * runs one unit headless, for test engineers and CI. Exit code: 0 PASS, 1 FAIL,
 * 2 ERROR, ABORTED or a usage/load problem. `passline export|import` (cli-transfer.ts)
 * move stored runs in and out of a data folder; `passline audit verify` (cli-audit.ts)
 * checks the audit trail; `passline stats` (cli-stats.ts) prints yield and SPC figures;
 * `passline plant` (electron/plant/cli-plant.ts) serves the plant view.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { SettingsSchema } from '#contract/settings.ts';
import { describePhaseError, describeValidator } from '#contract/format.ts';
import { describeSchemaWritten, writeProcedureSchema } from './procedures/schema-file.ts';
import type { Prompt, PromptAnswer } from '#contract/prompts.ts';
import type { StationEvent } from '#contract/events.ts';
import { createStation } from './station.ts';
import { Sessions } from './auth/sessions.ts';
import { userInfo } from 'node:os';
import { EXPORT_USAGE, IMPORT_USAGE, transferMain } from './cli-transfer.ts';
import { AUDIT_USAGE, auditMain } from './cli-audit.ts';
import { PROCEDURE_FILE, findProcedureDir, parseProcedureFile } from './procedures/load.ts';
import { paramProblems } from './engine/plan.ts';
import { message } from '#contract/messages.ts';
import { serialRefusal } from './scanning/serial-refusal.ts';
import { checkGs1 } from '#contract/scans.ts';
import { RUN_OPTIONS, procedureDirOf } from './cli-run-options.ts';
import type { ProcedureFile } from '#contract/procedure.ts';

const USAGE = `usage: passline run <procedure id or folder> --serial SN [options]
  --serial SN            the unit's serial number (required)
  --param key=value      override a phase parameter (key, or phase.key); repeatable
  --answer prompt=value  answer a prompt (by its key in procedure.yaml, its phase, or its text); repeatable
  --yes                  answer every confirm, yes-no and pass-fail prompt with yes/pass
  --instrument name=addr use this address for an instrument; repeatable
  --sequences DIR        folder of procedures (default: the sequences that ship)
  --data-dir DIR         keep the results here (default: a temporary folder)
  --json                 print every event as one JSON line (NDJSON)
  --load-timeout S       how long phases.ts may take to load (default 15)
exit code: 0 PASS, 1 FAIL, 2 ERROR, ABORTED or a problem before the run

usage: passline schema [DIR]
  writes procedure.schema.json into the procedure folder DIR (default: here) and points
  procedure.yaml's yaml-language-server line at it, so editors check the file anywhere

${EXPORT_USAGE}

${IMPORT_USAGE}

${AUDIT_USAGE}`;

/** The plant view (its server, PostgreSQL) loads only for `passline plant` and the usage text. */
const plant = () => import('#plant/cli-plant.ts');
/** Statistics (the stats store and its functions) load only for `passline stats` and the usage text. */
const stats = () => import('./cli-stats.ts');
const usage = async (): Promise<string> => `${USAGE}\n\n${(await stats()).STATS_USAGE}\n\n${(await plant()).PLANT_USAGE}`;

/**
 * Standard output, one write per turn of the event loop: a 1000-phase run prints 1000 lines,
 * and a console.log per line cost more than the phases. Anything written to standard error
 * first flushes what waits here, so the two keep their order on a terminal.
 */
let pending: string[] = [];
// As console.log does: a reader that went away (`| head`) is no reason to stop the run.
process.stdout.on('error', () => undefined);
function out(line: string): void {
  if (pending.length === 0) setImmediate(flushOut);
  pending.push(line);
}
function flushOut(): void {
  if (pending.length === 0) return;
  const text = pending.join('\n') + '\n';
  pending = [];
  process.stdout.write(text);
}
function warn(message: string): void {
  flushOut();
  console.error(message);
}

function fail(message: string): never {
  warn(`passline: ${message}`);
  process.exit(2);
}

/** "yes"/"true" → true, "no"/"false" → false, a number → number, else the text. */
function parseValue(v: string): string | number | boolean {
  if (/^(yes|true|pass|ok)$/i.test(v)) return true;
  if (/^(no|false|fail)$/i.test(v)) return false;
  if (v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
}

function pairs(list: string[] | undefined, flag: string): [string, string][] {
  return (list ?? []).map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) fail(`${flag} ${kv}: expected key=value`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  });
}

async function main(): Promise<number> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === 'export' || first === 'import') return transferMain(first, rest);
  if (first === 'audit') return auditMain(rest);
  if (first === 'stats') return (await stats()).statsMain(rest);
  if (first === 'plant') return (await plant()).plantMain(rest);
  const { values, positionals } = parseArgs({ allowPositionals: true, options: RUN_OPTIONS });
  if (values.help) {
    console.log(await usage());
    return 0;
  }
  const [command, procedureArg] = positionals;
  if (command === 'schema') {
    console.log(describeSchemaWritten(writeProcedureSchema(procedureArg ?? '.')));
    return 0;
  }
  if (command !== 'run' || !procedureArg) fail(`expected "run <procedure>"\n${await usage()}`);
  if (!values.serial) fail('--serial is required');

  // A folder holding procedure.yaml runs that very folder; anything else is an id in the
  // sequences folder (two folders with one id there are refused, naming both).
  const procedureDir = await Promise.resolve(procedureDirOf(procedureArg, values.sequences, (root, id) => findProcedureDir(root, id))).catch((e: Error) =>
    fail(e.message),
  );
  const procedureFile = await readProcedure(procedureDir);
  const procedureId = procedureFile.id;
  const params = Object.fromEntries(pairs(values.param, '--param').map(([k, v]) => [k, parseValue(v)]));
  // Refused here, before a station and its runner start: a typo must not cost seconds, nor be ignored.
  const paramErrors = paramProblems(procedureFile, params);
  if (paramErrors.length) fail(paramErrors.join('\n'));
  const serialError = serialProblem(values.serial, procedureFile);
  if (serialError) fail(serialError);
  const answers = new Map(pairs(values.answer, '--answer').map(([k, v]) => [k, v]));
  const instruments = Object.fromEntries(pairs(values.instrument, '--instrument'));
  const tempDir = values['data-dir'] ? null : mkdtempSync(join(tmpdir(), 'passline-cli-'));
  const dataDir = values['data-dir'] ?? tempDir!;

  const json = values.json;
  const loadTimeout = values['load-timeout'] === undefined ? undefined : Number(values['load-timeout']);
  if (loadTimeout !== undefined && !(loadTimeout >= 0.1 && loadTimeout <= 600))
    fail(`--load-timeout ${values['load-timeout']}: expected seconds from 0.1 to 600`);
  const settings = SettingsSchema.safeParse({
    sequenceFolder: dirname(procedureDir),
    procedureId,
    instruments,
    ...(loadTimeout !== undefined ? { procedureLoadTimeoutMs: Math.round(loadTimeout * 1000) } : {}),
  });
  // A bad --instrument address is named with its instrument, in one line.
  if (!settings.success) fail(settings.error.issues.map((i) => `--instrument ${String(i.path[1] ?? i.path.join('.'))}: ${i.message}`).join('\n'));
  const station = await createStation({
    dataDir,
    procedureDir,
    settings: settings.data,
    log: (level, m) => {
      if (level !== 'info') warn(`passline: ${m}`);
    },
  });
  // The CLI runs on the engineer's own machine with the data folder's permissions: no login;
  // its runs and acts are recorded as the OS user's.
  const cli = Sessions.os(osUser());
  try {
    await station.ready();
    const snap = station.snapshot();
    if (snap.procedureError) fail(snap.procedureError.message);

    let done = false;
    const ended = new Promise<StationEvent & { kind: 'run.ended' }>((resolveEnd) => {
      station.bus.subscribe((e) => {
        if (done) return;
        if (e.kind === 'run.ended') done = true;
        if (json) out(JSON.stringify(e));
        else printHuman(e);
        if (e.kind === 'prompt.opened') void answerPrompt(e.data.prompt);
        if (e.kind === 'run.ended') resolveEnd(e as StationEvent & { kind: 'run.ended' });
      }, station.bus.lastSeq);
    });

    const answerPrompt = async (p: Prompt): Promise<void> => {
      const key = [...answers.keys()].find((k) => k === p.message || k === p.phase || k === p.key || p.message.includes(k));
      let answer: PromptAnswer | undefined;
      if (key !== undefined) {
        const raw = answers.get(key)!;
        answer = p.kind === 'multi-choice' ? raw.split(',') : p.kind === 'text' || p.kind === 'choice' ? raw : (parseValue(raw) as PromptAnswer);
      } else if (values.yes && (p.kind === 'confirm' || p.kind === 'yes-no' || p.kind === 'pass-fail')) answer = true;
      else if (process.stdin.isTTY && !json) {
        flushOut();
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const raw = await rl.question(
          `? ${p.message} ${p.kind === 'yes-no' ? '[y/n]' : p.kind === 'pass-fail' ? '[pass/fail]' : p.options ? `[${p.options.join('/')}]` : ''} `,
        );
        rl.close();
        answer =
          p.kind === 'multi-choice'
            ? raw.split(',')
            : p.kind === 'text' || p.kind === 'choice'
              ? raw
              : (parseValue(raw.replace(/^y$/i, 'yes').replace(/^n$/i, 'no')) as PromptAnswer);
      }
      if (answer === undefined && p.expiresAt !== undefined) return; // it gives up by itself
      if (answer === undefined) {
        const hint = `pass --answer "${p.key ?? p.phase}=…"${p.kind === 'confirm' || p.kind === 'yes-no' || p.kind === 'pass-fail' ? ' or --yes' : ''}`;
        warn(`passline: the prompt "${p.message}" (phase ${p.phase}) needs an answer: ${hint}; stopping the run`);
        await station.invoke('run.abort', { socket: 0, reason: `no answer for the prompt "${p.message}" (phase ${p.phase}): ${hint}` }, cli);
        return;
      }
      const r = await station.invoke('prompt.answer', { socket: 0, promptId: p.id, answer }, cli);
      if (!r.ok) {
        warn(`passline: answer to "${p.message}" refused: ${r.error.message}; stopping the run`);
        await station.invoke('run.abort', { socket: 0, reason: `the answer to "${p.message}" was refused: ${r.error.message}` }, cli);
      }
    };

    // Ctrl-C stops the run as the operator's Abort does (teardown, safe state, the record
    // says why); a second Ctrl-C quits at once, and the runner's watchdog still switches
    // the instruments off.
    let interrupts = 0;
    const onInterrupt = (signal: NodeJS.Signals): void => {
      if (++interrupts > 1 || done) {
        flushOut();
        process.exit(130);
      }
      warn(`passline: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the run (teardown and safe state first; press Ctrl-C again to quit at once)`);
      void station.invoke('run.abort', { socket: 0, reason: `stopped from the command line (${signal})` }, cli);
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);

    const started = await station.invoke('run.start', { socket: 0, serialNumber: values.serial, ...(Object.keys(params).length ? { params } : {}) }, cli);
    if (!started.ok) fail(started.error.message);
    const end = await ended;
    return end.data.outcome === 'PASS' ? 0 : end.data.outcome === 'FAIL' ? 1 : 2;
  } finally {
    await station.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** procedure.yaml of the folder, parsed; its problems (file, line, field) end the CLI with exit 2. */
async function readProcedure(dir: string): Promise<ProcedureFile> {
  const file = join(dir, PROCEDURE_FILE);
  try {
    return parseProcedureFile(readFileSync(file, 'utf8'), file);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}

/** The same refusal the station gives a scan, without starting it. */
function serialProblem(serial: string, file: ProcedureFile): string | undefined {
  const s = serial.trim();
  if (!new RegExp(file.serialPattern).test(s)) {
    const why = serialRefusal(s, file);
    return message(why.key, why.params);
  }
  if (file.serialCheckDigit) {
    const group = file.serialCheckDigit.group;
    const digits = group !== undefined ? (new RegExp(file.serialPattern).exec(s)?.groups?.[group] ?? '') : s;
    const problem = checkGs1(digits);
    if (problem) return `"${s}": ${problem}`;
  }
  return undefined;
}

function printHuman(e: StationEvent): void {
  switch (e.kind) {
    case 'run.started':
      out(`${e.data.procedure.name} ${e.data.procedure.version} — unit ${e.data.unit.serialNumber}`);
      break;
    case 'run.phaseEnded': {
      const p = e.data.phase;
      out(
        `${p.outcome.padEnd(7)} ${p.name}${p.attempt > 1 ? ` (attempt ${p.attempt})` : ''}  ${Math.round(p.durationMs)} ms${p.error ? `  — ${describePhaseError(p.error)}` : ''}`,
      );
      for (const m of p.measurements) {
        const v = Array.isArray(m.value) ? `${m.value.length} points` : JSON.stringify(m.value);
        const limits = describeValidator(m.validator, m.units);
        out(
          `          ${m.outcome.padEnd(5)} ${m.name} = ${v}${m.units && !Array.isArray(m.value) ? ` ${m.units}` : ''}${limits ? `  [${limits}]` : ''}${m.reason ? `  ${m.reason}` : ''}`,
        );
      }
      break;
    }
    case 'run.progressed':
      if (e.data.message) out(`          … ${e.data.message}`);
      break;
    case 'run.ended':
      out(`${e.data.outcome}${e.data.outcomeReason ? ` (${e.data.outcomeReason})` : ''} in ${(e.data.durationMs / 1000).toFixed(1)} s`);
      break;
    default:
      break;
  }
}

main().then(
  (code) => {
    flushOut();
    process.exit(code);
  },
  (e: unknown) => fail(e instanceof Error ? e.message : String(e)),
);

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

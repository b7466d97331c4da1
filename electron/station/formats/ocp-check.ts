/**
 * Checks an OCP TV 2.0 stream for what the official JSON Schemas cannot: order and
 * pairing across lines. Returns the problems found, each naming its line; an empty
 * list means the stream holds together. Used by the tests on every export, and by
 * anyone who wants to check a stream from elsewhere.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The testRunEnd pairs the spec allows. */
const VALID_END = new Set(['COMPLETE/PASS', 'COMPLETE/FAIL', 'ERROR/NOT_APPLICABLE', 'SKIP/NOT_APPLICABLE']);

interface StepState {
  name: string;
  failed: boolean;
  status: string | null;
  started: number;
  ended: number | null;
  startTs: number;
}

interface SeriesState {
  step: string;
  ended: boolean;
  count: number;
}

export function checkOcpStream(input: string | readonly unknown[]): string[] {
  const problems: string[] = [];
  const say = (line: number, msg: string): void => void problems.push(`line ${line}: ${msg}`);
  let items: unknown[];
  if (typeof input === 'string') {
    items = [];
    const raw = input.split('\n');
    if (raw.at(-1) === '') raw.pop();
    raw.forEach((l, i) => {
      try {
        items.push(JSON.parse(l));
      } catch {
        say(i + 1, 'not a JSON object');
        items.push(null);
      }
    });
  } else items = [...input];
  if (items.length === 0) return ['the stream is empty'];

  let runStart: { line: number; ts: number } | null = null;
  let runEnd: { line: number; ts: number; status: string; result: string } | null = null;
  let lastTs = -Infinity;
  const steps = new Map<string, StepState>();
  const series = new Map<string, SeriesState>();
  const hardwareIds = new Set<string>();
  let failDiagnoses = 0;
  const stepOrder: StepState[] = [];

  items.forEach((item, i) => {
    const n = i + 1;
    if (!isObj(item)) {
      if (item !== null) say(n, 'not a JSON object');
      return;
    }
    if (item.sequenceNumber !== i) say(n, `sequenceNumber ${String(item.sequenceNumber)}, expected ${i} (from 0, without gaps)`);
    const ts = typeof item.timestamp === 'string' ? Date.parse(item.timestamp) : NaN;
    if (Number.isNaN(ts)) say(n, `timestamp ${String(item.timestamp)} is not a date-time`);
    else {
      if (ts < lastTs) say(n, 'timestamp goes back in time');
      lastTs = Math.max(lastTs, ts);
    }
    if (runEnd) say(n, `artifact after testRunEnd (line ${runEnd.line})`);

    if (i === 0) {
      const sv = item.schemaVersion;
      if (!isObj(sv) || sv.major !== 2 || sv.minor !== 0) say(n, 'the first line must be schemaVersion 2.0');
      return;
    }
    if ('schemaVersion' in item) {
      say(n, 'schemaVersion again after the first line');
      return;
    }

    if (isObj(item.testRunArtifact)) {
      const a = item.testRunArtifact;
      if (isObj(a.testRunStart)) {
        if (runStart) say(n, `second testRunStart (first at line ${runStart.line})`);
        else runStart = { line: n, ts };
        const dut = a.testRunStart.dutInfo;
        if (!isObj(dut)) say(n, 'testRunStart.dutInfo must be an object');
        else if (Array.isArray(dut.hardwareInfos)) {
          for (const h of dut.hardwareInfos) {
            if (!isObj(h)) continue;
            const id = String(h.hardwareInfoId);
            if (hardwareIds.has(id)) say(n, `hardwareInfoId "${id}" is declared twice`);
            hardwareIds.add(id);
          }
        }
        return;
      }
      if (!runStart) say(n, 'run artifact before testRunStart');
      if (isObj(a.testRunEnd)) {
        const status = String(a.testRunEnd.status);
        const result = String(a.testRunEnd.result);
        runEnd = { line: n, ts, status, result };
        if (!VALID_END.has(`${status}/${result}`)) say(n, `testRunEnd status ${status} with result ${result} is not a valid pair`);
        if (runStart && ts < runStart.ts) say(n, 'testRunEnd before testRunStart');
        for (const [id, s] of steps) if (s.ended === null) say(n, `step "${id}" (started line ${s.started}) is not closed before testRunEnd`);
        return;
      }
      if (!isObj(a.log) && !isObj(a.error)) say(n, 'testRunArtifact holds no known artifact object');
      return;
    }

    if (isObj(item.testStepArtifact)) {
      if (!runStart) say(n, 'step artifact before testRunStart');
      const a = item.testStepArtifact;
      const id = String(a.testStepId);
      const s = steps.get(id);
      if (isObj(a.testStepStart)) {
        if (s) say(n, `step "${id}" started again (first at line ${s.started})`);
        else {
          const st: StepState = { name: String(a.testStepStart.name), failed: false, status: null, started: n, ended: null, startTs: ts };
          steps.set(id, st);
          stepOrder.push(st);
        }
        return;
      }
      if (!s) {
        say(n, `artifact of step "${id}" before its testStepStart`);
        return;
      }
      if (s.ended !== null) say(n, `artifact of step "${id}" after its testStepEnd (line ${s.ended})`);
      if (isObj(a.testStepEnd)) {
        s.ended = n;
        s.status = String(a.testStepEnd.status);
        if (ts < s.startTs) say(n, `step "${id}" ends before it starts`);
        for (const [sid, ser] of series) if (ser.step === id && !ser.ended) say(n, `series "${sid}" is not ended before its step ends`);
        return;
      }
      const hw = (x: Obj): void => {
        if (x.hardwareInfoId !== undefined && !hardwareIds.has(String(x.hardwareInfoId)))
          say(n, `hardwareInfoId "${String(x.hardwareInfoId)}" is not declared in dutInfo`);
      };
      if (isObj(a.measurement)) hw(a.measurement);
      else if (isObj(a.diagnosis)) {
        hw(a.diagnosis);
        if (a.diagnosis.type === 'FAIL') {
          failDiagnoses++;
          s.failed = true;
        }
      } else if (isObj(a.measurementSeriesStart)) {
        hw(a.measurementSeriesStart);
        const sid = String(a.measurementSeriesStart.measurementSeriesId);
        if (series.has(sid)) say(n, `series "${sid}" started twice`);
        else series.set(sid, { step: id, ended: false, count: 0 });
      } else if (isObj(a.measurementSeriesElement)) {
        const el = a.measurementSeriesElement;
        const sid = String(el.measurementSeriesId);
        const ser = series.get(sid);
        if (!ser) say(n, `element of series "${sid}" before its start`);
        else {
          if (ser.ended) say(n, `element of series "${sid}" after its end`);
          if (ser.step !== id) say(n, `element of series "${sid}" in step "${id}", started in step "${ser.step}"`);
          if (el.index !== ser.count) say(n, `series "${sid}" element index ${String(el.index)}, expected ${ser.count}`);
          ser.count++;
        }
      } else if (isObj(a.measurementSeriesEnd)) {
        const e = a.measurementSeriesEnd;
        const sid = String(e.measurementSeriesId);
        const ser = series.get(sid);
        if (!ser) say(n, `end of series "${sid}" before its start`);
        else {
          if (ser.ended) say(n, `series "${sid}" ended twice`);
          ser.ended = true;
          if (e.totalCount !== ser.count) say(n, `series "${sid}" totalCount ${String(e.totalCount)}, but ${ser.count} elements`);
        }
      } else if (!isObj(a.log) && !isObj(a.error) && !isObj(a.file) && !isObj(a.extension)) {
        say(n, 'testStepArtifact holds no known artifact object');
      }
      return;
    }
    say(n, 'line is neither schemaVersion, testRunArtifact nor testStepArtifact');
  });

  if (!runStart) problems.push('no testRunStart');
  if (!runEnd) problems.push('no testRunEnd: the run is not closed');
  else {
    const end = runEnd as { line: number; status: string; result: string };
    if (end.line !== items.length) problems.push(`testRunEnd is on line ${end.line}, not the last line (${items.length})`);
    // The verdict agrees with what the steps said.
    // A step that failed and was repeated with success (a later step of the same name) does not fail the run.
    const unrecovered = stepOrder.filter(
      (st, i) =>
        (st.failed || st.status === 'ERROR') && !stepOrder.slice(i + 1).some((later) => later.name === st.name && !later.failed && later.status === 'COMPLETE'),
    );
    if (end.result === 'PASS' && unrecovered.length > 0)
      problems.push(
        `testRunEnd says PASS, but step(s) ${unrecovered.map((st) => `"${st.name}"`).join(', ')} failed or ended ERROR and were not repeated with success`,
      );
    if (end.result === 'FAIL' && failDiagnoses === 0) problems.push('testRunEnd says FAIL, but no diagnosis says FAIL');
  }
  return problems;
}

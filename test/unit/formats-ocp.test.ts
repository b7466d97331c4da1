/**
 * OCP Test & Validation output (spec 2.0): every line of every export validates
 * against the official JSON Schemas (ajv 2020-12 + formats), and the stream holds
 * together where the schemas cannot look (sequence numbers, pairing, verdict).
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import type { RunRecord } from '#contract/records.ts';
import { ocpChunks, toOcp, toOcpLines } from '#station/formats/ocp.ts';
import { checkOcpStream } from '#station/formats/ocp-check.ts';
import { fullRun, plainRun } from '../helpers/run-records.ts';
import { OCP_SCHEMA_DIR, ocpValidator, schemaProblems } from '../helpers/ocp-schema.ts';

type Line = {
  sequenceNumber: number;
  timestamp: string;
  schemaVersion?: Record<string, unknown>;
  testRunArtifact?: Record<string, unknown>;
  testStepArtifact?: Record<string, unknown>;
};
const parse = (text: string): Line[] =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

const outcomes: RunRecord['outcome'][] = ['PASS', 'FAIL', 'ERROR', 'ABORTED'];

describe('OCP TV export', () => {
  test.each(outcomes)('a %s run using every part of the record: every line valid, the stream consistent', (outcome) => {
    const text = toOcp(fullRun(outcome));
    expect(text.endsWith('\n')).toBe(true);
    expect(schemaProblems(text)).toEqual([]);
    expect(checkOcpStream(text)).toEqual([]);
  });

  test('maps the run: versions, DUT, steps, measurements, validators, verdict', () => {
    const rec = fullRun('FAIL');
    const lines = parse(toOcp(rec));
    expect(lines.map((l) => l.sequenceNumber)).toEqual(lines.map((_, i) => i));
    expect(lines[0]).toEqual({ schemaVersion: { major: 2, minor: 0 }, sequenceNumber: 0, timestamp: rec.startedAt });
    const start = lines[1]!.testRunArtifact!.testRunStart as Record<string, unknown>;
    expect(start).toMatchObject({
      name: 'board-fvt',
      version: '1.4.0',
      commandLine: '',
      parameters: {},
      dutInfo: {
        dutInfoId: 'PCB01A69658',
        hardwareInfos: [{ hardwareInfoId: '0', serialNumber: 'PCB01A69658', partNumber: 'PCB-01', revision: 'B' }],
        metadata: { batch: '11-24' },
      },
      metadata: { run_id: rec.id, station_id: 'line-2-station-4', operator_id: 'alice@example.com', procedure_hash: 'b'.repeat(64) },
    });
    const step = (kind: string) => lines.filter((l) => l.testStepArtifact && kind in l.testStepArtifact).map((l) => l.testStepArtifact!);
    // One step per phase attempt, in order, each closed with the status its outcome maps to.
    expect(step('testStepStart').map((a) => (a.testStepStart as { name: string }).name)).toEqual(rec.phases.map((p) => p.name));
    expect(step('testStepEnd').map((a) => (a.testStepEnd as { status: string }).status)).toEqual([
      'COMPLETE',
      'COMPLETE',
      'COMPLETE',
      'COMPLETE',
      'COMPLETE',
      'SKIP',
      'COMPLETE',
    ]);
    const v33 = step('measurement').find((a) => (a.measurement as { name: string }).name === 'v_3v3')!.measurement;
    expect(v33).toEqual({
      name: 'v_3v3',
      value: 3.05,
      unit: 'V',
      validators: [
        { name: 'lower', type: 'GREATER_THAN_OR_EQUAL', value: 3.2 },
        { name: 'upper', type: 'LESS_THAN', value: 3.4 },
      ],
      hardwareInfoId: '0',
      metadata: { outcome: 'FAIL', reason: '3.05 V is below 3.2 V', failure_code: 'LOW_3V3', marginal_lower: 3.22, marginal_upper: 3.38 },
    });
    // Failures are diagnoses with a pareto-able verdict.
    expect(step('diagnosis').map((a) => a.diagnosis)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ verdict: 'LOW_3V3', type: 'FAIL', message: '3.05 V is below 3.2 V' }),
        expect.objectContaining({ verdict: 'RAIL_3V3', type: 'FAIL' }),
        expect.objectContaining({ verdict: 'temperature-unset', type: 'FAIL' }),
      ]),
    );
    // A series: start, one element per point (the leading axis in metadata), end with the count.
    const series = step('measurementSeriesElement').map(
      (a) => a.measurementSeriesElement as { index: number; value: number; metadata: Record<string, number> },
    );
    expect(series.map((e) => [e.index, e.metadata.frequency, e.value])).toEqual([
      [0, 100, 20.1],
      [1, 1000, 20],
      [2, 10000, 19.4],
    ]);
    expect(step('measurementSeriesEnd')[0]!.measurementSeriesEnd).toMatchObject({ totalCount: 3 });
    // Logs keep level and source location.
    expect(step('log').map((a) => a.log)).toEqual(
      expect.arrayContaining([{ severity: 'ERROR', message: 'crc mismatch\nline two', sourceLocation: { file: 'lib/crc.ts', line: 88 } }]),
    );
    expect(lines.at(-1)!.testRunArtifact!.testRunEnd).toEqual({ status: 'COMPLETE', result: 'FAIL' });
  });

  test.each([
    ['PASS', 'COMPLETE', 'PASS'],
    ['FAIL', 'COMPLETE', 'FAIL'],
    ['ERROR', 'ERROR', 'NOT_APPLICABLE'],
    ['ABORTED', 'SKIP', 'NOT_APPLICABLE'],
  ] as const)('run %s ends %s / %s', (outcome, status, result) => {
    const lines = parse(toOcp(fullRun(outcome)));
    expect(lines.at(-1)!.testRunArtifact!.testRunEnd).toEqual({ status, result });
  });

  test('a line holds no raw newline, timestamps are UTC and never go back', () => {
    const lines = toOcpLines(fullRun('ERROR'));
    for (const l of lines) expect(l).not.toMatch(/\n/);
    const ts = lines.map((l) => (JSON.parse(l) as Line).timestamp);
    for (const t of ts) expect(t).toMatch(/Z$/);
    expect([...ts].sort()).toEqual(ts);
  });

  test('a run of 1000 measurements in 100 phases stays valid', () => {
    const text = toOcp(plainRun('BIG-1', { phases: 100, perPhase: 10, fail: true }));
    expect(schemaProblems(text)).toEqual([]);
    expect(checkOcpStream(text)).toEqual([]);
  });

  test('written in chunks (the folder target): whole lines, the same text, no chunk of a big run over 64 lines', () => {
    const rec = plainRun('BIG-2', { phases: 100, perPhase: 10, fail: true });
    const chunks = ocpChunks(rec);
    expect(chunks.join('')).toBe(toOcp(rec));
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      expect(c.endsWith('\n')).toBe(true);
      expect(c.split('\n').length - 1).toBeLessThanOrEqual(64);
    }
    // A small run is one chunk.
    expect(ocpChunks(fullRun('PASS'))).toHaveLength(1);
  });
});

describe('the stream check (what the schemas cannot see)', () => {
  const good = toOcpLines(fullRun('FAIL')).map((l) => JSON.parse(l) as Line);
  const renumber = (ls: Line[]) => ls.map((l, i) => ({ ...l, sequenceNumber: i }));

  test("accepts the spec's minimal example", () => {
    const spec = readFileSync(new URL('../../../shared/reference/FORMATS.md', import.meta.url), 'utf8');
    const block = /### 1\.8[^\n]*\n```\n([\s\S]*?)```/.exec(spec)![1]!;
    expect(schemaProblems(block)).toEqual([]);
    expect(checkOcpStream(block)).toEqual([]);
  });

  test('finds a gap in the sequence numbers', () => {
    const ls = good.filter((_, i) => i !== 5);
    expect(checkOcpStream(ls)).toContain('line 6: sequenceNumber 6, expected 5 (from 0, without gaps)');
  });

  test('finds a step that is never closed', () => {
    const ls = renumber(good.filter((l) => !(l.testStepArtifact && 'testStepEnd' in l.testStepArtifact && l.testStepArtifact.testStepId === '3')));
    expect(checkOcpStream(ls).join('\n')).toMatch(/step "3" \(started line \d+\) is not closed before testRunEnd/);
  });

  test('finds an end before its start', () => {
    const ls = good.map((l) => ({ ...l }));
    const end = ls.findIndex((l) => l.testStepArtifact && 'testStepEnd' in l.testStepArtifact);
    ls[end] = { ...ls[end]!, timestamp: '2020-01-01T00:00:00.000Z' };
    const problems = checkOcpStream(ls);
    expect(problems).toContain(`line ${end + 1}: timestamp goes back in time`);
    expect(problems).toContain(`line ${end + 1}: step "0" ends before it starts`);
  });

  test('finds a verdict that is not a valid pair, or that contradicts the steps', () => {
    const ls = good.map((l) => ({ ...l }));
    ls[ls.length - 1] = { ...ls.at(-1)!, testRunArtifact: { testRunEnd: { status: 'ERROR', result: 'PASS' } } };
    // The schema lets ERROR/PASS through (FORMATS.md 1.5); the check does not.
    expect(ocpValidator()(ls.at(-1))).toBe(true);
    const problems = checkOcpStream(ls);
    expect(problems).toContain(`line ${ls.length}: testRunEnd status ERROR with result PASS is not a valid pair`);
    expect(problems.join('\n')).toMatch(/testRunEnd says PASS, but step\(s\) "identity" failed/);
  });

  test('finds a series whose count is wrong, and a non-object artifact the schema lets pass', () => {
    const ls = good.map((l) => ({ ...l }));
    const end = ls.findIndex((l) => l.testStepArtifact && 'measurementSeriesEnd' in l.testStepArtifact);
    const a = ls[end]!.testStepArtifact!;
    ls[end] = { ...ls[end]!, testStepArtifact: { ...a, measurementSeriesEnd: { ...(a.measurementSeriesEnd as object), totalCount: 7 } } };
    const m = ls.findIndex((l) => l.testStepArtifact && 'measurement' in l.testStepArtifact);
    ls[m] = { ...ls[m]!, testStepArtifact: { testStepId: '1', measurement: 'x' } as never };
    expect(ocpValidator()(ls[m])).toBe(true);
    const problems = checkOcpStream(ls);
    expect(problems.join('\n')).toMatch(/series "4\.0" totalCount 7, but 3 elements/);
    expect(problems).toContain(`line ${m + 1}: testStepArtifact holds no known artifact object`);
  });

  test('the official sample output passes both checks where it is valid', () => {
    // Sanity of the validator itself: FORMATS.md reports 132 of 133 sample lines valid.
    const sample = readFileSync(new URL('../examples/sample_output.txt', OCP_SCHEMA_DIR.href.replace('json_spec/output/', 'json_spec/')), 'utf8');
    const json = sample
      .split('\n')
      .map((l) => l.replace(/^\[pylog\] /, ''))
      .filter((l) => l.startsWith('{'));
    const v = ocpValidator();
    const valid = json.filter((l) => v(JSON.parse(l))).length;
    expect([valid, json.length]).toEqual([132, 133]);
  });
});

describe('OCP TV: what the stream used to leave out', () => {
  const withAttachment = (): RunRecord => {
    const rec = fullRun('FAIL');
    rec.phases[1]!.attachments = [{ name: 'scope.png', mediaType: 'image/png', size: 1234, sha256: 'ab'.repeat(32) }];
    return rec;
  };

  test('phase parameters are in testRunStart.parameters, under each phase’s name', () => {
    const start = parse(toOcp(fullRun('FAIL'))).find((l) => l.testRunArtifact?.testRunStart)!.testRunArtifact!.testRunStart as { parameters: unknown };
    expect(start.parameters).toEqual({ 'rail_voltage[rail=3V3]': { rail: '3V3', nominal: 3.3, strict: true } });
  });

  test('each aggregate of a series says whether it met its limits', () => {
    const rec = fullRun('FAIL');
    const sweep = rec.phases.find((p) => p.name === 'sweep')!.measurements[0]!;
    sweep.aggregates = { ...sweep.aggregates, min: 18.5 };
    const lines = parse(toOcp(rec)).map((l) => l.testStepArtifact?.measurement as { name: string; metadata?: { outcome: string } } | undefined);
    expect(lines.find((m) => m?.name === 'gain_vs_freq.min')!.metadata!.outcome).toBe('FAIL');
    expect(lines.find((m) => m?.name === 'gain_vs_freq.max')!.metadata!.outcome).toBe('UNSET');
    expect(schemaProblems(toOcp(rec))).toEqual([]);
  });

  test('an attachment is a file artifact of its step, valid by the schema, pointing at its content', () => {
    const text = toOcp(withAttachment());
    expect(schemaProblems(text)).toEqual([]);
    const file = parse(text).find((l) => l.testStepArtifact?.file)!.testStepArtifact!;
    expect(file).toMatchObject({
      testStepId: '1',
      file: {
        displayName: 'scope.png',
        uri: `urn:sha256:${'ab'.repeat(32)}`,
        isSnapshot: false,
        contentType: 'image/png',
        metadata: { sha256: 'ab'.repeat(32), size: 1234 },
      },
    });
    const uri = parse(toOcp(withAttachment(), (a) => `attachments/${a.sha256}`)).find((l) => l.testStepArtifact?.file)!.testStepArtifact!.file as {
      uri: string;
    };
    expect(uri.uri).toBe(`attachments/${'ab'.repeat(32)}`);
  });

  test("a phase error carries the line of the procedure's code it came from as sourceLocation, valid by the schema", () => {
    const rec = fullRun('ERROR');
    const flash = rec.phases.find((p) => p.name === 'flash')!;
    flash.error = { ...flash.error!, source: 'phases.ts:77' };
    const text = toOcp(rec);
    expect(schemaProblems(text)).toEqual([]);
    expect(parse(text).find((l) => l.testStepArtifact?.error)!.testStepArtifact!.error).toEqual({
      symptom: 'phase-exception',
      message: 'TypeError: cannot read "x"',
      sourceLocation: { file: 'phases.ts', line: 77 },
    });
  });

  test('a run still running is refused, not written as if it had ended', () => {
    const rec = { ...fullRun('PASS'), outcome: 'RUNNING' as const };
    delete rec.endedAt;
    expect(() => toOcp(rec)).toThrow(/still running: its OCP output is written when it has ended/);
  });
});

/**
 * `passline export` and `passline import` (real child processes) on a real station's data
 * folder, while that station runs: the same files the run page gives, and imports a second
 * station then serves.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '#contract/records.ts';
import { parseNative } from '#station/formats/native.ts';
import { parseOpenHtf } from '#station/formats/openhtf.ts';
import { REPO_ROOT, SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { schemaProblems } from '../helpers/ocp-schema.ts';
import { TpRunCreate } from '../helpers/tofupilot-models.ts';
import { passline } from '../helpers/cli.ts';

let ts: TestStation;
let ids: string[];
const tmp = tempDir('passline-transfer-');

beforeAll(async () => {
  ts = await openTestStation({ procedureId: 'example-limits', sequenceFolder: SHIPPED_SEQUENCES });
  ids = [];
  for (const serial of ['EX-1', 'EX-2', 'EX-1']) {
    const id = await ts.start(serial);
    await ts.ended(id);
    ids.push(id);
  }
}, 60_000);

afterAll(async () => {
  await ts.close();
  tmp.remove();
});

async function pageExport(runId: string, format: 'native' | 'ocp' | 'openhtf'): Promise<string> {
  const r = await ts.station.invoke('runs.export', { runId, format });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { content: string }).content;
}

describe('passline export', () => {
  it('writes one run in each format, byte for byte what the run page exports, while the station runs', async () => {
    for (const format of ['native', 'ocp', 'openhtf'] as const) {
      const r = await passline('export', ids[1]!, '--format', format, '--data-dir', ts.dataDir);
      expect(r.code, r.stderr).toBe(0);
      const page = await pageExport(ids[1]!, format);
      expect(r.stdout).toBe(page.endsWith('\n') ? page : page + '\n');
    }
    const ocp = await passline('export', ids[1]!, '--format', 'ocp', '--data-dir', ts.dataDir);
    expect(schemaProblems(ocp.stdout)).toEqual([]);
    const htf = await passline('export', ids[1]!, '--format', 'openhtf', '--data-dir', ts.dataDir);
    expect(parseOpenHtf(htf.stdout).unit.serialNumber).toBe('EX-2');
  });

  it('writes the TofuPilot v2 run request, valid by their client models', async () => {
    const r = await passline('export', ids[0]!, '--format', 'tofupilot', '--procedure-id', 'proc-42', '--data-dir', ts.dataDir);
    expect(r.code, r.stderr).toBe(0);
    const body = TpRunCreate.parse(JSON.parse(r.stdout));
    expect(body).toMatchObject({ procedure_id: 'proc-42', serial_number: 'EX-1', outcome: 'PASS' });
  });

  it('--serial gives every run of that unit; --from/--to a time range; --out writes files', async () => {
    const bySerial = await passline('export', '--serial', 'EX-1', '--format', 'native', '--data-dir', ts.dataDir);
    expect(bySerial.code, bySerial.stderr).toBe(0);
    expect(parseNative(bySerial.stdout).map((r) => r.id)).toEqual([ids[0], ids[2]]);

    const first = await ts.record(ids[0]!);
    const last = await ts.record(ids[2]!);
    const range = await passline('export', '--from', first.startedAt, '--to', last.startedAt, '--format', 'native', '--data-dir', ts.dataDir);
    expect(parseNative(range.stdout).map((r) => r.id)).toEqual([ids[0], ids[1]]);

    const out = join(tmp.dir, 'ex1-openhtf');
    const files = await passline('export', '--serial', 'EX-1', '--format', 'openhtf', '--out', out, '--data-dir', ts.dataDir);
    expect(files.code, files.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([`EX-1_${ids[0]}.openhtf.json`, `EX-1_${ids[2]}.openhtf.json`].sort());
    expect(files.stderr).toContain(`passline: wrote ${join(out, `EX-1_${ids[0]}.openhtf.json`)}`);
  });

  it('refuses, naming what is wrong: no database, an unknown run, a format, two ways at once, several runs to one stream', async () => {
    const empty = tempDir();
    try {
      const none = await passline('export', ids[0]!, '--format', 'native', '--data-dir', empty.dir);
      expect(none).toMatchObject({ code: 2 });
      expect(none.stderr.trim()).toBe(`passline: no station database in ${empty.dir} (looked for ${join(empty.dir, 'passline.db')}); pass --data-dir`);
    } finally {
      empty.remove();
    }
    const unknown = await passline('export', 'no-such-run', '--format', 'native', '--data-dir', ts.dataDir);
    expect(unknown.stderr.trim()).toBe('passline: no run no-such-run on this station');
    const format = await passline('export', ids[0]!, '--format', 'csv', '--data-dir', ts.dataDir);
    expect(format.stderr.trim()).toBe('passline: --format csv: expected native, ocp, openhtf or tofupilot');
    const both = await passline('export', ids[0]!, '--serial', 'EX-1', '--format', 'native', '--data-dir', ts.dataDir);
    expect(both.stderr).toMatch(/^passline: name the runs one way: a run id, --serial SN, or --from\/--to/);
    const many = await passline('export', '--serial', 'EX-1', '--format', 'ocp', '--data-dir', ts.dataDir);
    expect(many.stderr.trim()).toBe('passline: 2 runs of "EX-1" in ocp: one file each, so --out must name a folder');
    const badTime = await passline('export', '--from', 'yesterday', '--format', 'native', '--data-dir', ts.dataDir);
    expect(badTime.stderr.trim()).toBe('passline: --from yesterday: expected a date (2026-12-03) or an ISO time (2026-12-03T08:00:00Z)');
    for (const r of [unknown, format, both, many, badTime]) expect(r.code).toBe(2);
  });
});

describe('passline import', () => {
  it('stores the runs of a native file in another data folder, which then serves them as they were; a repeat skips them', async () => {
    const file = join(tmp.dir, 'all.jsonl');
    const exported = await passline('export', '--from', '2000-01-01', '--format', 'native', '--out', file, '--data-dir', ts.dataDir);
    expect(exported.code, exported.stderr).toBe(0);
    const target = join(tmp.dir, 'second-station');
    const r = await passline('import', file, '--format', 'native', '--data-dir', target);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('imported 3 run(s)');
    const again = await passline('import', file, '--format', 'native', '--data-dir', target);
    expect(again.stdout.split('\n')[0]).toBe('imported 0 run(s); 3 already stored, skipped');

    const second = await openTestStation({ procedureId: 'example-limits', sequenceFolder: SHIPPED_SEQUENCES, dataDir: target });
    try {
      for (const id of ids) expect(await second.record(id)).toEqual(await ts.record(id));
    } finally {
      await second.close({ keepData: true });
    }
  });

  it('imports an OpenHTF record; a file that is not one is refused naming the file', async () => {
    const target = join(tmp.dir, 'htf-station');
    const htf = join(REPO_ROOT, 'test/fixtures/openhtf/pre-2017-record.json');
    const r = await passline('import', htf, '--format', 'openhtf', '--data-dir', target);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^imported 1 run\(s\)\n\S+\n$/);
    const id = r.stdout.split('\n')[1]!;
    const back = await passline('export', id, '--format', 'native', '--data-dir', target);
    const rec = JSON.parse(back.stdout) as RunRecord;
    expect(rec.id).toBe(id);
    expect(rec.outcome).toBe('FAIL'); // the record's own outcome

    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, '{"not": "openhtf"');
    const refused = await passline('import', bad, '--format', 'openhtf', '--data-dir', target);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^passline: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    const missing = await passline('import', join(tmp.dir, 'nope.json'), '--format', 'native', '--data-dir', target);
    expect(missing.stderr.trim()).toBe(`passline: ${join(tmp.dir, 'nope.json')}: cannot be read (ENOENT)`);
    const fmt = await passline('import', htf, '--format', 'ocp', '--data-dir', target);
    expect(fmt.stderr.trim()).toBe('passline: --format ocp: expected native or openhtf');
    expect(readFileSync(htf, 'utf8').length).toBeGreaterThan(0);
  });
});

describe('attachments through export and import', () => {
  it('a native export carries the files; the importing station serves the same bytes', async () => {
    const src = await openTestStation({ procedureId: 'example-series', sequenceFolder: SHIPPED_SEQUENCES });
    const target = join(tmp.dir, 'with-files');
    try {
      const id = await src.start('EX-1');
      await src.ended(id);
      const files = (await src.record(id)).phases.flatMap((p) => p.attachments ?? []);
      expect(files.length).toBeGreaterThan(0);
      const file = join(tmp.dir, 'series.json');
      const out = await passline('export', id, '--format', 'native', '--out', file, '--data-dir', src.dataDir);
      expect(out.code, out.stderr).toBe(0);
      const imported = await passline('import', file, '--format', 'native', '--data-dir', target);
      expect(imported.code, imported.stderr).toBe(0);
      const second = await openTestStation({ procedureId: 'example-series', sequenceFolder: SHIPPED_SEQUENCES, dataDir: target });
      try {
        for (const a of files) {
          const mine = await src.station.invoke('attachments.get', { sha256: a.sha256 });
          const theirs = await second.station.invoke('attachments.get', { sha256: a.sha256 });
          expect(theirs.ok, JSON.stringify(theirs)).toBe(true);
          expect(theirs.ok && mine.ok && (theirs.value as { base64: string }).base64).toBe(mine.ok && (mine.value as { base64: string }).base64);
        }
      } finally {
        await second.close({ keepData: true });
      }
    } finally {
      await src.close();
    }
  }, 60_000);
});

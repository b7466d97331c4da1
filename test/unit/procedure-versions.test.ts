/**
 * The store of procedure versions on a real SQLite file and real procedure folders, and the
 * line diff it shows a supervisor, checked against what `diff -u` prints for the same texts.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import type { ProcedureSummary } from '#contract/procedure.ts';
import { migrate } from '#station/store/db.ts';
import { hashOfFiles } from '#station/procedures/files.ts';
import { ProcedureVersions, lineEdits, unifiedDiff } from '#station/procedures/versions.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('unifiedDiff', () => {
  test('one changed line, with three lines of context each side, as diff -u prints it', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', ''].join('\n');
    const b = a.replace('5', 'five');
    expect(unifiedDiff(a, b, 'phases.ts')).toBe(
      ['--- a/phases.ts', '+++ b/phases.ts', '@@ -2,7 +2,7 @@', '2', '3', '4', '-5', '+five', '6', '7', '8', ''].join('\n').replace(/^(\d)/gm, ' $1'),
    );
  });

  test('changes far apart are separate hunks; near ones share one; a new file counts from zero', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const b = a.replace('line 2\n', 'line two\n').replace('line 18', 'line eighteen');
    const d = unifiedDiff(a, b, 'x.ts')!;
    expect(d.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
    const near = unifiedDiff(a, a.replace('line 2\n', 'line two\n').replace('line 8\n', 'line eight\n'), 'x.ts')!;
    expect(near.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,11 +1,11 @@']);
    expect(unifiedDiff('', 'a\nb\n', 'new.json', true)).toBe('--- /dev/null\n+++ b/new.json\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('same\n', 'same\n', 'x')).toBeNull();
  });

  test('the edit script keeps the longest common subsequence', () => {
    const ops = lineEdits(['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'd']);
    expect(ops.filter((o) => o.t === ' ').map((o) => o.line)).toHaveLength(3);
    expect(ops.filter((o) => o.t !== ' ')).toHaveLength(2);
  });
});

describe('ProcedureVersions', () => {
  function setUp() {
    const t = tempDir('passline-versions-');
    cleanups.push(t.remove);
    const db = new DatabaseSync(join(t.dir, 'passline.db'));
    cleanups.push(() => db.close());
    migrate(db);
    return { dir: t.dir, versions: new ProcedureVersions(db, () => undefined) };
  }
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

  function summary(dir: string, version: string, files: Record<string, Buffer | string>): ProcedureSummary {
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    const entries = Object.entries(files)
      .map(([name, bytes]) => ({ name, sha256: sha(bytes) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return { id: 'p', name: 'P', version, hash: hashOfFiles(entries), files: entries, serialPattern: '.*', phases: [], dir };
  }

  test('a version is kept once per hash; images by sha256 only; compare names each file', async () => {
    const { dir, versions } = setUp();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    const v1 = summary(dir, '1.0.0', { 'procedure.yaml': 'id: p\nversion: 1.0.0\n', 'phases.ts': 'export const a = 1;\n', 'led.png': png, 'old.ts': 'x\n' });
    expect(await versions.keep(v1, new Date('2026-01-01T00:00:00Z'))).toBe(true);
    expect(await versions.keep(v1)).toBe(false);
    const v2 = summary(dir, '1.0.0', {
      'procedure.yaml': 'id: p\nversion: 1.0.0\n',
      'phases.ts': 'export const a = 2;\n',
      'led.png': Buffer.from([0x89, 9]),
      'new.ts': 'y\n',
    });
    v2.files = v2.files!.filter((f) => f.name !== 'old.ts');
    expect(await versions.keep(v2, new Date('2026-01-02T00:00:00Z'))).toBe(true);

    expect(versions.list('p').map((v) => [v.hash, v.firstLoadedAt, v.files])).toEqual([
      [v2.hash, '2026-01-02T00:00:00.000Z', ['led.png', 'new.ts', 'phases.ts', 'procedure.yaml']],
      [v1.hash, '2026-01-01T00:00:00.000Z', ['led.png', 'old.ts', 'phases.ts', 'procedure.yaml']],
    ]);
    const { files } = versions.compare('p', v1.hash, v2.hash);
    expect(files.map((f) => [f.name, f.status, f.diff])).toEqual([
      ['led.png', 'changed', null],
      ['new.ts', 'added', '--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1 @@\n+y\n'],
      ['old.ts', 'removed', '--- a/old.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n'],
      ['phases.ts', 'changed', '--- a/phases.ts\n+++ b/phases.ts\n@@ -1 +1 @@\n-export const a = 1;\n+export const a = 2;\n'],
      ['procedure.yaml', 'unchanged', null],
    ]);
    expect(() => versions.compare('p', v1.hash, '0'.repeat(64))).toThrow(/no version 000000000000… of procedure p is kept/);
  });
});

/**
 * The procedure hash covers every file of the folder that the phases load (phases.ts and
 * what it imports, procedure.yaml and its prompt images), the summary and the run record
 * list those files with their sha256, and a long-lived runner runs an edited helper, not
 * the copy Node cached when it first loaded the folder.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcedureSummary } from '#contract/procedure.ts';
import { loadInNode } from '../helpers/procedure-files.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { openTestStation } from '../helpers/station.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A copy of test/fixtures/sequences/helpers in a temp folder (its own sequences folder). */
function helpersCopy(): { root: string; dir: string } {
  const t = tempDir('passline-files-');
  cleanups.push(t.remove);
  const dir = join(t.dir, 'helpers');
  cpSync(join(FIXTURE_SEQUENCES, 'helpers'), dir, { recursive: true });
  return { root: t.dir, dir };
}

async function summary(dir: string): Promise<ProcedureSummary> {
  const res = await loadInNode(dir);
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
}

/** The files as they are on disk now, as the summary must list them. */
const onDisk = (dir: string, names: string[]) => names.map((name) => ({ name, sha256: sha256(readFileSync(join(dir, name))) }));

describe('the procedure hash', () => {
  it('covers phases.ts and the files it imports, listed by name and sha256; a README changes nothing', async () => {
    const { dir } = helpersCopy();
    const first = await summary(dir);
    const names = ['helpers.ts', 'phases.ts', 'procedure.yaml', 'table.json'];
    expect(first.files).toEqual(onDisk(dir, names));
    // What sha256sum prints for those files, sorted by name, hashed: an auditor can redo it.
    expect(first.hash).toBe(sha256(first.files!.map((f) => `${f.sha256}  ${f.name}\n`).join('')));

    writeFileSync(join(dir, 'README.md'), 'Edited notes: still nothing loads this file.\n');
    expect((await summary(dir)).hash).toBe(first.hash);

    const helpers = join(dir, 'helpers.ts');
    writeFileSync(helpers, readFileSync(helpers, 'utf8').replace('export const SCALE = 1;', 'export const SCALE = 1.25;'));
    const edited = await summary(dir);
    expect(edited.hash).not.toBe(first.hash);
    expect(edited.files).toEqual(onDisk(dir, names));
    // Only the helper's entry changed: that is what an auditor compares between two runs.
    expect(edited.files!.filter((f, i) => f.sha256 !== first.files![i]!.sha256).map((f) => f.name)).toEqual(['helpers.ts']);

    writeFileSync(join(dir, 'table.json'), '{ "volts": 1.6 }\n');
    expect((await summary(dir)).hash).not.toBe(edited.hash);
  });

  it('covers a subfolder module and a prompt image, and stops at packages and at what a comment names', async () => {
    const { dir } = helpersCopy();
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'node_modules', 'crc'), { recursive: true });
    writeFileSync(
      join(dir, 'node_modules', 'crc', 'package.json'),
      '{ "name": "crc", "type": "module", "exports": { "types": "./index.d.ts", "default": "./index.js" } }\n',
    );
    writeFileSync(join(dir, 'node_modules', 'crc', 'index.js'), 'export const crc = () => 7;\n');
    writeFileSync(join(dir, 'node_modules', 'crc', 'index.d.ts'), 'export declare const crc: () => number;\n');
    writeFileSync(join(dir, 'lib', 'units.ts'), "export { crc } from 'crc';\nexport const mV = (v: number): number => v * 1000;\n");
    writeFileSync(join(dir, 'led.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
    const phases = join(dir, 'phases.ts');
    writeFileSync(
      phases,
      readFileSync(phases, 'utf8').replace(
        "import { reading, SCALE } from './helpers.ts';",
        "import { reading, SCALE } from './helpers.ts';\nimport { mV } from './lib/units.ts';\n// The values used to come from './old-table.json'.\nexport const millivolts = mV(1);",
      ),
    );
    const yaml = join(dir, 'procedure.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('phases:\n', 'prompts:\n  led:\n    message: Is the LED green?\n    image: led.svg\nphases:\n'));
    const s = await summary(dir);
    expect(s.files!.map((f) => f.name)).toEqual(['helpers.ts', 'led.svg', 'lib/units.ts', 'phases.ts', 'procedure.yaml', 'table.json']);
    expect(s.files).toEqual(onDisk(dir, ['helpers.ts', 'led.svg', 'lib/units.ts', 'phases.ts', 'procedure.yaml', 'table.json']));
  });

  it('refuses what it cannot cover: an import that leaves the folder, a name computed at run time, a require() of a folder file', async () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'outside',
        (dir) => {
          writeFileSync(join(dir, '..', 'shared.ts'), 'export const shared = 1;\n');
          writeFileSync(join(dir, 'phases.ts'), "import { shared } from '../shared.ts';\nexport function measure(): void {\n  void shared;\n}\n");
        },
        /phases\.ts imports '\.\.\/shared\.ts', which is outside the procedure folder/,
      ],
      [
        'computed',
        (dir) => {
          writeFileSync(join(dir, 'extra.ts'), 'export const extra = 1;\n');
          writeFileSync(join(dir, 'phases.ts'), "const name = ['extra', 'ts'].join('.');\nawait import(`./${name}`);\nexport function measure(): void {}\n");
        },
        /extra\.ts is not among the files the procedure hash covers/,
      ],
      [
        'require',
        (dir) => {
          writeFileSync(join(dir, 'legacy.cts'), "require('./table.json');\n");
          writeFileSync(join(dir, 'phases.ts'), "import './legacy.cts';\nexport function measure(): void {}\n");
        },
        /legacy\.cts: require\('\.\/table\.json'\): a procedure's own files are loaded with import/,
      ],
    ];
    for (const [name, edit, message] of cases) {
      const { root } = helpersCopy();
      const dir = join(root, name);
      cpSync(join(FIXTURE_SEQUENCES, 'helpers'), dir, { recursive: true });
      edit(dir);
      const res = await loadInNode(dir);
      expect(res.ok, name).toBe(false);
      if (!res.ok) expect(res.error, name).toMatchObject({ kind: 'sequence.invalid', message: expect.stringMatching(message) });
    }
  });

  it('a helper that throws while loading is named by its file and line, not by phases.ts', async () => {
    const { dir } = helpersCopy();
    const helpers = join(dir, 'helpers.ts');
    writeFileSync(helpers, `${readFileSync(helpers, 'utf8')}\nif (table.volts > 1) throw new Error('no bench config');\n`);
    const line = readFileSync(helpers, 'utf8').split('\n').indexOf("if (table.volts > 1) throw new Error('no bench config');") + 1;
    const res = await loadInNode(dir);
    expect(res).toMatchObject({
      ok: false,
      error: { kind: 'sequence.invalid', message: `${helpers}:${line}: no bench config`, details: { file: helpers, line } },
    });
  });
});

describe('a station with an edited helper', () => {
  it('loads the new version, runs its code, and records its files', async () => {
    const { root, dir } = helpersCopy();
    const ts = await openTestStation({ procedureId: 'helpers', sequenceFolder: root });
    cleanups.push(() => ts.close());
    const loaded = ts.station.snapshot().procedure!;
    expect(loaded.files!.map((f) => f.name)).toEqual(['helpers.ts', 'phases.ts', 'procedure.yaml', 'table.json']);

    const id1 = await ts.start('H-1');
    await ts.ended(id1);
    const rec1 = await ts.record(id1);
    expect(rec1.procedure).toMatchObject({ hash: loaded.hash, files: loaded.files });
    expect(rec1.phases[0]!.measurements.map((m) => [m.name, m.value])).toEqual([
      ['volts', 1.5],
      ['scale', 1],
    ]);

    // The runner stays up between versions; Node would keep the helper it loaded first.
    const helpers = join(dir, 'helpers.ts');
    writeFileSync(helpers, readFileSync(helpers, 'utf8').replace('export const SCALE = 1;', 'export const SCALE = 1.25;'));
    const reloaded = await ts.events.waitFor('procedure.loaded', (e) => e.data.procedure.hash !== loaded.hash, { timeoutMs: 15_000 });
    const helperSha = sha256(readFileSync(helpers));
    expect(reloaded.data.procedure.files).toContainEqual({ name: 'helpers.ts', sha256: helperSha });

    const id2 = await ts.start('H-2');
    await ts.ended(id2);
    const rec2 = await ts.record(id2);
    expect(rec2.procedure.hash).toBe(reloaded.data.procedure.hash);
    expect(rec2.procedure.files).toEqual(reloaded.data.procedure.files);
    expect(rec2.procedure.files!.find((f) => f.name === 'helpers.ts')!.sha256).toBe(helperSha);
    expect(rec1.procedure.files!.find((f) => f.name === 'helpers.ts')!.sha256).not.toBe(helperSha);
    expect(rec2.phases[0]!.measurements.map((m) => [m.name, m.value])).toEqual([
      ['volts', 1.875],
      ['scale', 1.25],
    ]);
  });
});

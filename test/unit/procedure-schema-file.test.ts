/**
 * `passline schema [DIR]` (writeProcedureSchema): a procedure folder anywhere gets its own
 * procedure.schema.json and a yaml-language-server line pointing at it, so an editor
 * completes and checks procedure.yaml with no repo beside it and no network.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { parseProcedureFile } from '#station/procedures/load.ts';
import { PROCEDURE_SCHEMA_FILE, SCHEMA_MODELINE, describeSchemaWritten, procedureSchema, writeProcedureSchema } from '#station/procedures/schema-file.ts';
import { REPO_ROOT, SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function folder(): string {
  const t = tempDir('passline-schema-');
  cleanups.push(t.remove);
  return t.dir;
}

/** A shipped procedure copied out of the repo, as a newcomer starts one. */
function copied(name = 'demo-board'): string {
  const dir = join(folder(), name);
  cpSync(join(SHIPPED_SEQUENCES, name), dir, { recursive: true });
  return dir;
}

const validatorOf = (file: string) => new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);

describe('writeProcedureSchema', () => {
  test('a folder copied out of the repo: its line pointed at ../../docs/schemas, which is not there; it now points at the file written beside it', () => {
    const dir = copied();
    const before = readFileSync(join(dir, 'procedure.yaml'), 'utf8');
    expect(before.split('\n')[0]).toBe('# yaml-language-server: $schema=../../docs/schemas/procedure.schema.json');
    expect(existsSync(join(dir, '../../docs/schemas/procedure.schema.json'))).toBe(false);

    const r = writeProcedureSchema(dir);
    expect(r).toEqual({
      schemaFile: join(dir, PROCEDURE_SCHEMA_FILE),
      schemaChanged: true,
      modeline: 'replaced',
      line: SCHEMA_MODELINE,
      previous: '../../docs/schemas/procedure.schema.json',
    });
    const after = readFileSync(join(dir, 'procedure.yaml'), 'utf8');
    expect(after.split('\n')[0]).toBe('# yaml-language-server: $schema=./procedure.schema.json');
    // Only that line changed: the procedure is the same procedure.
    expect(after.split('\n').slice(1)).toEqual(before.split('\n').slice(1));
    expect(parseProcedureFile(after, 'procedure.yaml')).toEqual(parseProcedureFile(before, 'procedure.yaml'));
  });

  test('the file written is the published schema (docs/schemas), and it checks procedure.yaml as the station does', () => {
    const dir = copied('example-limits');
    const { schemaFile } = writeProcedureSchema(dir);
    const written = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    expect(written.$comment).toMatch(/^Written by passline schema \(Passline \d+\.\d+\.\d+\)\. Run it again after upgrading Passline\.$/);
    const { $comment: _c, ...schema } = written;
    expect(schema).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'docs/schemas/procedure.schema.json'), 'utf8')));
    expect(schema).toEqual(procedureSchema());

    const validate = validatorOf(schemaFile);
    const doc = parse(readFileSync(join(dir, 'procedure.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    // A mistake an editor should underline: an unknown field, a phase without a name.
    expect(validate({ ...doc, stopOnFail: true })).toBe(false);
    expect(validate({ ...doc, phases: [{ title: 'no name' }] })).toBe(false);
  });

  test('a procedure.yaml with no such line gets one on top (line endings and a byte-order mark kept)', () => {
    const dir = folder();
    writeFileSync(join(dir, 'procedure.yaml'), '\uFEFF# Power board\r\nid: pb\r\nname: Power board\r\nversion: 1.0.0\r\nphases:\r\n  - name: a\r\n');
    expect(writeProcedureSchema(dir)).toMatchObject({ modeline: 'added', line: SCHEMA_MODELINE });
    expect(readFileSync(join(dir, 'procedure.yaml'), 'utf8')).toBe(
      `\uFEFF${SCHEMA_MODELINE}\r\n# Power board\r\nid: pb\r\nname: Power board\r\nversion: 1.0.0\r\nphases:\r\n  - name: a\r\n`,
    );
  });

  test('run again: nothing changes; a line pointing at a URL or at a file that exists is left as it is', () => {
    const dir = copied();
    writeProcedureSchema(dir);
    const yaml = readFileSync(join(dir, 'procedure.yaml'), 'utf8');
    expect(writeProcedureSchema(dir)).toMatchObject({ schemaChanged: false, modeline: 'kept', previous: './procedure.schema.json' });
    expect(readFileSync(join(dir, 'procedure.yaml'), 'utf8')).toBe(yaml);

    const url = '# yaml-language-server: $schema=https://schemas.example.com/procedure.schema.json';
    writeFileSync(join(dir, 'procedure.yaml'), `${url}\n${yaml.split('\n').slice(1).join('\n')}`);
    expect(writeProcedureSchema(dir)).toMatchObject({ modeline: 'kept', previous: 'https://schemas.example.com/procedure.schema.json' });
    expect(readFileSync(join(dir, 'procedure.yaml'), 'utf8').split('\n')[0]).toBe(url);

    // A relative line to a schema that is there (the shipped ones, inside the repo) works as it is.
    const sibling = join(dir, '..', 'shared.schema.json');
    writeFileSync(sibling, '{}');
    writeFileSync(join(dir, 'procedure.yaml'), `# yaml-language-server: $schema=../shared.schema.json\n${yaml.split('\n').slice(1).join('\n')}`);
    expect(writeProcedureSchema(dir)).toMatchObject({ modeline: 'kept', previous: '../shared.schema.json' });
  });

  test('a new folder with no procedure.yaml yet gets the schema and the line to start the file with; a path that is no folder is refused in words', () => {
    const dir = folder();
    expect(writeProcedureSchema(dir)).toEqual({
      schemaFile: join(dir, PROCEDURE_SCHEMA_FILE),
      schemaChanged: true,
      modeline: 'no-procedure',
      line: SCHEMA_MODELINE,
    });
    expect(existsSync(join(dir, PROCEDURE_SCHEMA_FILE))).toBe(true);
    expect(() => writeProcedureSchema(join(dir, 'nope'))).toThrow(
      `${join(dir, 'nope')} is not a folder: give the procedure folder (the one holding procedure.yaml)`,
    );
  });
});

test('describeSchemaWritten: what `passline schema` prints, in words', () => {
  const schemaFile = '/x/pb/procedure.schema.json';
  expect(
    describeSchemaWritten({
      schemaFile,
      schemaChanged: true,
      modeline: 'replaced',
      line: SCHEMA_MODELINE,
      previous: '../../docs/schemas/procedure.schema.json',
    }),
  ).toBe(`wrote ${schemaFile}\nprocedure.yaml pointed at ../../docs/schemas/procedure.schema.json, which is not there; it now starts with: ${SCHEMA_MODELINE}`);
  expect(describeSchemaWritten({ schemaFile, schemaChanged: false, modeline: 'kept', line: SCHEMA_MODELINE, previous: './procedure.schema.json' })).toBe(
    `up to date: ${schemaFile}\nprocedure.yaml's line is left as it is (./procedure.schema.json); to use this file: ${SCHEMA_MODELINE}`,
  );
  expect(describeSchemaWritten({ schemaFile, schemaChanged: true, modeline: 'added', line: SCHEMA_MODELINE })).toBe(
    `wrote ${schemaFile}\nprocedure.yaml now starts with: ${SCHEMA_MODELINE}`,
  );
  expect(describeSchemaWritten({ schemaFile, schemaChanged: true, modeline: 'no-procedure', line: SCHEMA_MODELINE })).toBe(
    `wrote ${schemaFile}\nno procedure.yaml here yet: start it with ${SCHEMA_MODELINE}`,
  );
});

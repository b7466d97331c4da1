/**
 * procedure.yaml + phases.ts loading: every mistake a test engineer or supervisor
 * can make is refused as `sequence.invalid` with a message naming the file, the
 * line and the field, exactly as the operator's screen will show it.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { StationFault } from '#contract/errors.ts';
import { findProcedureDir, loadProcedure } from '#station/procedures/load.ts';
import { loadInNode, writeProcedure } from '../helpers/procedure-files.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';

const tmp = tempDir('passline-load-');
afterAll(() => tmp.remove());

const HEADER = 'id: t\nname: T\nversion: 1.0.0\nphases:\n';
const PHASES_AB = 'export function a(): void {}\nexport function b(): void {}\n';

let n = 0;
/** Loads a procedure whose YAML is `yaml`; returns the StationFault it was refused with. */
async function refusal(yaml: string, phases = PHASES_AB): Promise<{ fault: StationFault; yamlPath: string }> {
  const dir = writeProcedure(tmp.dir, `case-${++n}`, yaml, phases);
  const err = await loadProcedure(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StationFault);
  const fault = err as StationFault;
  expect(fault.kind).toBe('sequence.invalid');
  return { fault, yamlPath: join(dir, 'procedure.yaml') };
}

describe('procedure.yaml', () => {
  test('bad YAML syntax names the file and line', async () => {
    // Line 6: an unquoted colon inside a value, the classic hand-edit mistake.
    const { fault, yamlPath } = await refusal(`${HEADER}  - name: a\n    title: Power: on\n  - name: b\n`);
    expect(fault.message).toBe(`${yamlPath}:6: Nested mappings are not allowed in compact mappings`);
  });

  test('an unknown field is named on its own line', async () => {
    const { fault, yamlPath } = await refusal(`${HEADER}  - name: a\n    timeout: 5000\n  - name: b\n`);
    expect(fault.message).toBe(`${yamlPath}:6: phases.0.timeout: unknown field`);
  });

  test('an unknown top-level field is named on its own line', async () => {
    const { fault, yamlPath } = await refusal(`id: t\nname: T\nversion: 1.0.0\nstopOnFail: true\nphases:\n  - name: a\n  - name: b\n`);
    expect(fault.message).toBe(`${yamlPath}:4: stopOnFail: unknown field`);
  });

  test('a value of the wrong type names the field and line', async () => {
    const { fault, yamlPath } = await refusal(`${HEADER}  - name: a\n  - name: b\n    timeoutMs: fast\n`);
    expect(fault.message).toBe(`${yamlPath}:7: phases.1.timeoutMs: Invalid input: expected number, received string`);
  });

  test('lower above upper names the limit and line', async () => {
    const yaml = `${HEADER}  - name: a\n    measurements:\n      - name: v_3v3\n        units: V\n        lower: 3.4\n        upper: 3.2\n  - name: b\n`;
    const { fault, yamlPath } = await refusal(yaml);
    expect(fault.message).toBe(`${yamlPath}:9: phases.0.measurements.0.lower: lower must not be above upper`);
  });

  test('an unknown unit names the field and line', async () => {
    const yaml = `${HEADER}  - name: a\n    measurements:\n      - name: v_3v3\n        units: Volts\n  - name: b\n`;
    const { fault, yamlPath } = await refusal(yaml);
    expect(fault.message).toMatch(
      new RegExp(`^${yamlPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8: phases\\.0\\.measurements\\.0\\.units: unknown unit "Volts"`),
    );
  });

  test('a phase listed twice names the second entry', async () => {
    const { fault, yamlPath } = await refusal(`${HEADER}  - name: a\n  - name: b\n  - name: a\n`);
    expect(fault.message).toBe(`${yamlPath}:7: phases.2.name: phase "a" is listed twice`);
  });

  test('every problem is listed, one per line', async () => {
    const { fault, yamlPath } = await refusal(`${HEADER}  - name: a\n    timeoutMs: -5\n    colour: red\n  - name: b\n`);
    expect(fault.message.split('\n').sort()).toEqual(
      [`${yamlPath}:6: phases.0.timeoutMs: Too small: expected number to be >0`, `${yamlPath}:7: phases.0.colour: unknown field`].sort(),
    );
  });

  test('a missing procedure.yaml is refused by path', async () => {
    const dir = join(tmp.dir, 'empty');
    await expect(loadProcedure(dir)).rejects.toMatchObject({ kind: 'sequence.invalid', message: `${join(dir, 'procedure.yaml')}: procedure file not found` });
  });
});

// phases.ts is type-checked and then loaded by Node's own type stripping, as in the
// runner: see helpers/load-procedure-cli.ts.
describe('phases.ts (loaded in plain Node, as the runner does)', () => {
  test('a phase listed in procedure.yaml but not exported names the YAML line', async () => {
    const dir = writeProcedure(tmp.dir, 'not-exported', `${HEADER}  - name: a\n  - name: b\n  - name: c\n`, PHASES_AB);
    const res = await loadInNode(dir);
    const message = `${join(dir, 'procedure.yaml')}:7: phases.2.name: phase "c" is not exported by phases.ts`;
    expect(res).toEqual({ ok: false, error: { kind: 'sequence.invalid', message, details: { file: join(dir, 'procedure.yaml'), issues: [message] } } });
  });

  test('a syntax error in phases.ts names the file and line', async () => {
    const phases =
      "import type { PhaseContext } from '#station/engine/sdk.ts';\n\nexport function a(ctx: PhaseContext): void {\n  ctx.log.info('x';\n}\nexport function b(): void {}\n";
    const dir = writeProcedure(tmp.dir, 'syntax', `${HEADER}  - name: a\n  - name: b\n`, phases);
    const res = await loadInNode(dir);
    expect(res).toMatchObject({ ok: false, error: { kind: 'sequence.invalid', message: `type errors:\n${join(dir, 'phases.ts')}:4:19: ')' expected.` } });
  });

  test('TypeScript that type stripping cannot run (an enum) names the file and line', async () => {
    const phases = 'export function a(): void {}\n\nenum Rail { V3V3 }\nexport function b(): number { return Rail.V3V3; }\n';
    const dir = writeProcedure(tmp.dir, 'enum', `${HEADER}  - name: a\n  - name: b\n`, phases);
    const res = await loadInNode(dir);
    expect(res).toMatchObject({
      ok: false,
      error: {
        kind: 'sequence.invalid',
        message: `type errors:\n${join(dir, 'phases.ts')}:3:6: This syntax is not allowed when 'erasableSyntaxOnly' is enabled.`,
      },
    });
  });

  test('a type error (a measurement of the wrong type) is refused at load, not found on the line', async () => {
    const phases =
      "import type { PhaseContext } from '#station/engine/sdk.ts';\n\nexport function a(ctx: PhaseContext): void {\n  ctx.measure('v', ctx.unit);\n}\nexport function b(): void {}\n";
    const dir = writeProcedure(tmp.dir, 'type-error', `${HEADER}  - name: a\n  - name: b\n`, phases);
    const res = await loadInNode(dir);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.kind).toBe('sequence.invalid');
    expect(res.error.message).toMatch(new RegExp(`^type errors:\n${join(dir, 'phases.ts').replace(/[.]/g, '\\.')}:4:\\d+: `));
  });

  test('a phases.ts that throws while loading names the file and line', async () => {
    const phases = "export function a(): void {}\nexport function b(): void {}\nthrow new Error('no bench config');\n";
    const dir = writeProcedure(tmp.dir, 'throws-at-load', `${HEADER}  - name: a\n  - name: b\n`, phases);
    const res = await loadInNode(dir);
    expect(res).toMatchObject({ ok: false, error: { kind: 'sequence.invalid', message: `${join(dir, 'phases.ts')}:3: no bench config` } });
  });

  test('a good procedure loads with its summary and a content hash', async () => {
    const dir = writeProcedure(tmp.dir, 'good', `${HEADER}  - name: a\n    title: First\n  - name: b\n    group: teardown\n`, PHASES_AB);
    const res = await loadInNode(dir);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.value).toMatchObject({
      id: 't',
      name: 'T',
      version: '1.0.0',
      serialPattern: '.+',
      dir,
      phases: [
        { name: 'a', title: 'First', group: 'main', enabled: true },
        { name: 'b', group: 'teardown', enabled: true },
      ],
    });
    expect(res.value.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('findProcedureDir', () => {
  test('finds a procedure folder by the id in its procedure.yaml', async () => {
    expect(await findProcedureDir(FIXTURE_SEQUENCES, 'quick')).toBe(join(FIXTURE_SEQUENCES, 'quick'));
  });

  test('an unknown id is refused naming the id and the folder', async () => {
    await expect(findProcedureDir(FIXTURE_SEQUENCES, 'no-such')).rejects.toMatchObject({
      kind: 'sequence.invalid',
      message: `no procedure with id "no-such" in ${FIXTURE_SEQUENCES}`,
    });
  });
});

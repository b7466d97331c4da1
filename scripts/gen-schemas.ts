/**
 * Writes the published JSON Schemas (docs/schemas/) from the zod contract, so editors
 * complete and check procedure files and receivers can validate run records. A procedure
 * folder outside the repo gets its own copy from `passline schema` (schema-file.ts).
 * `node scripts/gen-schemas.ts --check` fails when a file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NativeRunSchema } from '#contract/records.ts';
import { procedureSchema } from '#station/procedures/schema-file.ts';

const dir = fileURLToPath(new URL('../docs/schemas/', import.meta.url));

export function schemas(): Record<string, string> {
  // The same schema `passline schema` writes into a procedure folder (writeProcedureSchema).
  const procedure = procedureSchema();
  const run = {
    $id: 'https://passline.dev/schemas/run-record.schema.json',
    title: 'Passline run record',
    ...z.toJSONSchema(NativeRunSchema, { io: 'output', unrepresentable: 'any' }),
  };
  return {
    'procedure.schema.json': JSON.stringify(procedure, null, 2) + '\n',
    'run-record.schema.json': JSON.stringify(run, null, 2) + '\n',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, text] of Object.entries(schemas())) {
    const path = dir + name;
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing */
    }
    if (current === text) continue;
    if (check) {
      console.error(`${path} is out of date: run node scripts/gen-schemas.ts`);
      stale++;
    } else writeFileSync(path, text);
  }
  process.exit(stale ? 1 : 0);
}

import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

/**
 * The official OCP TV 2.0 output schemas (../shared/reference/ocp-tv/json_spec/output),
 * compiled with ajv's draft 2020-12 class plus ajv-formats (date-time asserted), as
 * ../shared/reference/FORMATS.md section 1.9 prescribes.
 */
export const OCP_SCHEMA_DIR = new URL('../../../shared/reference/ocp-tv/json_spec/output/', import.meta.url);
const ROOT_ID = 'https://github.com/opencomputeproject/ocp-diag-core/output';

// ajv-formats is CommonJS with a default export: under NodeNext it arrives as the module object.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv2020) => Ajv2020;

let compiled: ValidateFunction | null = null;

export function ocpValidator(): ValidateFunction {
  if (compiled) return compiled;
  // strictTypes off: the official schemas leave out type:"object" on purpose (FORMATS.md 1.9).
  const ajv = new Ajv2020({ strictTypes: false, allErrors: true });
  addFormats(ajv);
  for (const f of readdirSync(OCP_SCHEMA_DIR)) if (f.endsWith('.json')) ajv.addSchema(JSON.parse(readFileSync(new URL(f, OCP_SCHEMA_DIR), 'utf8')) as object);
  const v = ajv.getSchema(ROOT_ID);
  if (!v) throw new Error(`no schema ${ROOT_ID} in ${OCP_SCHEMA_DIR.pathname}`);
  compiled = v;
  return v;
}

/** Every line that fails the official schema, with ajv's reasons. */
export function schemaProblems(text: string): string[] {
  const v = ocpValidator();
  const out: string[] = [];
  text
    .split('\n')
    .filter((l) => l !== '')
    .forEach((l, i) => {
      if (!v(JSON.parse(l))) out.push(`line ${i + 1}: ${JSON.stringify(v.errors)}`);
    });
  return out;
}

/**
 * The yaml package, loaded the first time it is needed. Reading a procedure mostly comes from
 * the parse cache (yaml-doc.ts procedureData), so a `passline run`, a station's start or a
 * runner's start seldom needs it; bundled it was a third of the runner's code to load at
 * every start. Its CommonJS build, so the callers stay synchronous.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  return (lib ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

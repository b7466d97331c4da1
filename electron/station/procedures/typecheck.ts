import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompilerOptions } from 'typescript';

const APP = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = join(tmpdir(), 'passline-typecheck-v3');
const FILE_TOKEN = '<phases.ts>';

/**
 * Type-checks a procedure's phases.ts with the same strict options as the app, so a
 * sequence that would work in the editor and fail on the line is refused at load.
 * Returns "file:line: message" lines, empty when it is clean. The verdict is cached
 * by `hash`, the hash of phases.ts and the folder's files it imports: a station restart
 * does not pay again, and an edited helper is checked again.
 */
export async function typecheckPhases(file: string, hash: string): Promise<string[]> {
  const marker = join(CACHE, `${hash}.json`);
  // Both verdicts are remembered: an unchanged file is not checked twice.
  if (existsSync(marker)) {
    try {
      // Cached lines name the file by a placeholder: the same content may sit at another path.
      return (JSON.parse(readFileSync(marker, 'utf8')) as string[]).map((l) => l.split(FILE_TOKEN).join(file));
    } catch {
      /* a damaged cache entry: check again */
    }
  }
  const ts = (await import('typescript')).default;
  const options: CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    // Node runs phases.ts as a module wherever the folder is, package.json or not.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [join(APP, 'node_modules', '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    // A table the phases import (`import t from './t.json' with { type: 'json' }`) is part of the procedure.
    resolveJsonModule: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    // A sequence folder outside the app still finds the SDK types.
    paths: { '#station/*': [join(APP, 'electron/station/*')], '#contract/*': [join(APP, 'electron/contract/*')] },
  };
  const program = ts.createProgram([file], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  const own = diagnostics.filter((d) => !d.file || !relative(APP, d.file.fileName).startsWith('electron'));
  const lines = own.map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0];
    if (!d.file || d.start === undefined) return `${file}: ${msg}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${msg}`;
  });
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, JSON.stringify(lines.map((l) => l.split(file).join(FILE_TOKEN))));
  return lines;
}

import { registerHooks } from 'node:module';
import { isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProcedureVersion } from './files.ts';

/**
 * Node's module hooks that make a runner run exactly the version it hashed.
 *
 * Node caches a module by its URL for the life of the process, and the runner is
 * long-lived: phases.ts is imported as `phases.ts?v=<hash>` so an edited version loads
 * fresh, but `./helpers.ts` imported from it resolves to plain `helpers.ts`, cached since
 * the first load, so an edited helper would never run. Here every file of the folder
 * imported from a versioned file gets the same `?v=` (so a new version reloads all of
 * them, and an unchanged one reuses its modules), and is served from the bytes that were
 * hashed, never read again from disk: the code that runs is the code the record names.
 *
 * A file of the folder that is not among the hashed files (imported by a name computed at
 * run time), a relative import that leaves the folder, and a CommonJS require() of the
 * folder's own files cannot be covered by the hash, so they are refused with a message
 * that says so. Packages (node_modules) and the app's own modules load as usual.
 */

interface Version {
  /** The folder's path. */
  dir: string;
  /** Path of each hashed file → its hashed bytes. */
  files: Map<string, Buffer>;
}

/** By folder path, then by token. Every version a runner loaded stays: its modules stay in Node's cache too. */
const folders = new Map<string, Map<string, Version>>();
let registered = false;

/** A file: URL as its path and its version token (`?v=`), or null for any other URL. */
function split(url: string): { path: string; token: string | null } | null {
  if (!url.startsWith('file:')) return null;
  const u = new URL(url);
  const token = u.searchParams.get('v');
  u.search = '';
  u.hash = '';
  return { path: fileURLToPath(u), token };
}

/** The registered folder `path` is a file of (of the folder itself, not of a node_modules under it). */
function folderOf(path: string): string | null {
  let found: string | null = null;
  for (const dir of folders.keys()) {
    const rel = relative(dir, path);
    // The innermost, should one procedure folder sit inside another.
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('node_modules') && (found === null || dir.length > found.length))
      found = dir;
  }
  return found;
}

const nameIn = (dir: string, path: string): string => relative(dir, path).split(sep).join('/');

/**
 * Makes `version` of the folder `dir` importable as `<file>?v=<token>` and returns the URL
 * to import `entry` (phases.ts) by.
 */
export function versionedUrl(dir: string, token: string, version: ProcedureVersion, entry: string): string {
  if (!registered) {
    registerHooks({ resolve, load });
    registered = true;
  }
  const root = resolvePath(dir);
  let byToken = folders.get(root);
  if (!byToken) folders.set(root, (byToken = new Map()));
  if (!byToken.has(token)) {
    const files = new Map<string, Buffer>();
    for (const [name, bytes] of version.contents) files.set(join(root, name), bytes);
    byToken.set(token, { dir: root, files });
  }
  return `${pathToFileURL(join(root, entry)).href}?v=${token}`;
}

const resolve: Parameters<typeof registerHooks>[0]['resolve'] = (specifier, context, nextResolve) => {
  const r = nextResolve(specifier, context);
  const parent = context.parentURL === undefined ? null : split(context.parentURL);
  const target = split(r.url);
  if (!parent || !target) return r;
  const dir = folderOf(parent.path);
  if (!dir) return r;
  const inside = folderOf(target.path) === dir;
  if (parent.token === null || !folders.get(dir)!.has(parent.token)) {
    // A file of the folder without a version: loaded by CommonJS require(), which keys its cache by path.
    if (inside)
      throw new Error(
        `${nameIn(dir, parent.path)}: require('${specifier}'): a procedure's own files are loaded with import, so that the procedure hash covers them and an edit reloads them`,
      );
    return r;
  }
  if (inside) return { ...r, url: `${pathToFileURL(target.path).href}?v=${parent.token}` };
  if (/^\.{1,2}\//.test(specifier) && relative(dir, target.path).startsWith('..'))
    throw new Error(
      `${nameIn(dir, parent.path)} imports '${specifier}', which is outside the procedure folder: the procedure hash covers the folder's own files only, so keep what the phases load inside the folder`,
    );
  return r;
};

const load: Parameters<typeof registerHooks>[0]['load'] = (url, context, nextLoad) => {
  const at = split(url);
  const dir = at?.token != null ? folderOf(at.path) : null;
  const v = dir ? folders.get(dir)!.get(at!.token!) : undefined;
  if (!v) return nextLoad(url, context);
  const bytes = v.files.get(at!.path);
  const name = nameIn(v.dir, at!.path);
  if (!bytes)
    throw new Error(
      `${name} is not among the files the procedure hash covers: import the folder's files by a literal path (from './${name}') in phases.ts or a file it imports`,
    );
  // The format as Node decides it (module or CommonJS, TypeScript or not); the bytes are the hashed ones.
  const r = nextLoad(url, context);
  return { format: r.format, source: bytes, shortCircuit: true };
};

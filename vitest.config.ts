import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Station tests run under plain Node (no Electron mock): real SQLite files, real
 * runner child processes, real sockets. Playwright owns test/e2e.
 *
 * `#contract/*`, `#station/*`, `#server/*` come from package.json "imports";
 * Vite resolves package subpath imports natively, so there are no aliases here
 * (the tests import all three, e.g. test/integration/server.test.ts).
 */
const root = fileURLToPath(new URL('.', import.meta.url));

const station: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'station',
    environment: 'node',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/fault/**/*.test.ts'],
  },
};

/** Any `*.test.ts(x)` under test/renderer? */
function hasTests(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => /\.test\.tsx?$/.test(f));
}

function installed(pkg: string): boolean {
  try {
    createRequire(join(root, 'package.json')).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

// Renderer tests (test/renderer) run in jsdom when jsdom is installed. It is not today:
// the renderer's tests so far are pure functions over the contract and say
// `// @vitest-environment node` themselves, so they run under Node; a test that
// needs a DOM would fail loudly here until `npm i -D -E jsdom` is done.
const renderer: TestProjectInlineConfiguration | null = hasTests(join(root, 'test/renderer'))
  ? {
      extends: true,
      // The renderer's own tsconfig (DOM types, react-jsx).
      tsconfig: './tsconfig.renderer.json',
      test: { name: 'renderer', environment: installed('jsdom') ? 'jsdom' : 'node', include: ['test/renderer/**/*.test.{ts,tsx}'] },
    }
  : null;

export default defineConfig({
  // The station's own tsconfig (Node types, no DOM). Naming it keeps Vite from walking
  // tsconfig.json's references, some of which belong to other runtimes.
  tsconfig: './tsconfig.node.json',
  test: {
    // Each test file in its own process: runner children and SQLite handles never leak between files.
    pool: 'forks',
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    // Integration tests start real child processes; on 2 cores a cold start takes a second or two.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: renderer ? [station, renderer] : [station],
  },
});

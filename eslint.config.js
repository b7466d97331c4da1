// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import globals from 'globals';

const TEST_FNS = new Set(['it', 'test', 'describe', 'suite', 'bench']);

/** `it.only`, `test.describe.skip`, `describe.skip.each`: the test function at the root of a member chain. */
function testModifier(node, name) {
  if (node.type !== 'MemberExpression' || node.property.type !== 'Identifier' || node.property.name !== name) return false;
  let root = node.object;
  while (root.type === 'MemberExpression') root = root.object;
  return root.type === 'Identifier' && TEST_FNS.has(root.name);
}

/** Small local rules: focused tests never land, a skipped test says why. */
const passline = {
  rules: {
    'no-focused-tests': {
      meta: { type: 'problem', messages: { only: '.only would skip every other test in CI: remove it.' }, schema: [] },
      create(context) {
        return {
          MemberExpression(node) {
            if (testModifier(node, 'only')) context.report({ node: node.property, messageId: 'only' });
          },
        };
      },
    },
    'no-unexplained-skip': {
      meta: {
        type: 'problem',
        messages: { skip: '.skip needs a reason: a comment on the line above (or the same line), or a reason string as in test.skip(condition, "why").' },
        schema: [],
      },
      create(context) {
        const source = context.sourceCode;
        const hasComment = (node) => {
          const line = node.loc.start.line;
          return source.getAllComments().some((c) => c.loc.end.line === line - 1 || c.loc.start.line === line);
        };
        return {
          MemberExpression(node) {
            if (!testModifier(node, 'skip')) return;
            const call = node.parent.type === 'CallExpression' && node.parent.callee === node ? node.parent : null;
            // Playwright's test.skip(condition, 'reason') carries its reason.
            const reasonArg = call?.arguments.some((a, i) => i > 0 && ((a.type === 'Literal' && typeof a.value === 'string') || a.type === 'TemplateLiteral'));
            let statement = node;
            while (statement.parent && statement.parent.type !== 'Program' && statement.parent.type !== 'BlockStatement') statement = statement.parent;
            if (!reasonArg && !hasComment(statement) && !hasComment(node)) context.report({ node: node.property, messageId: 'skip' });
          },
        };
      },
    },
  },
};

const STATION_VIA_API = 'The renderer reaches the station through the contract and window.station or the WebSocket, never by importing it.';
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));
const noElectron = {
  name: 'electron',
  message: 'Only electron/main and electron/preload import Electron; the station and everything else run under plain Node.',
};
const noElectronSub = { group: ['electron/*'], message: noElectron.message };
const noNode = [
  { group: ['node:*'], message: 'This code also runs in the browser: no Node modules.' },
  ...NODE_BUILTINS.map((m) => ({ group: [m, `${m}/*`], message: 'This code also runs in the browser: no Node modules.' })),
];

export default defineConfig(
  globalIgnores(['**/dist/', '**/out/', '**/.vite/', '**/node_modules/', '**/test-results/', '**/playwright-report/', 'bench/results/', '.work/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      // Config files no tsconfig includes get a default project so type-aware rules still run.
      parserOptions: { projectService: { allowDefaultProject: ['renderer/*.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { passline },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'passline/no-focused-tests': 'error',
      'passline/no-unexplained-skip': 'error',
      // Everywhere but the shell: no Electron.
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [noElectronSub] }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The shell: the only code that runs inside Electron's main process and preload.
    files: ['electron/main/**', 'electron/preload/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The contract is shared by station, shells and renderer: schemas only.
    files: ['electron/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectron,
            { name: 'react', message: 'The contract holds schemas, not UI.' },
            { name: 'react-dom', message: 'The contract holds schemas, not UI.' },
          ],
          patterns: [noElectronSub, ...noNode],
        },
      ],
    },
  },
  {
    // bench/pages: pages the benchmarks build from the renderer's own components.
    files: ['renderer/**/*.{ts,tsx}', 'bench/pages/**/*.{ts,tsx}'],
    // The renderer's Vite config runs in Node at build time, not in the page.
    ignores: ['renderer/*.config.ts'],
    extends: [reactHooks.configs.flat.recommended, jsxA11y.flatConfigs.recommended],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            noElectronSub,
            ...noNode,
            // `#` starts a comment in group patterns, hence the regex for the subpath imports.
            { regex: '^#(station|server)/', message: STATION_VIA_API },
            { group: ['**/electron/station/**', '**/electron/server/**'], message: STATION_VIA_API },
          ],
        },
      ],
    },
  },
);

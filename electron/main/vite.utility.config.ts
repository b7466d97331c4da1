import { defineConfig } from 'vite';

/**
 * The station's utility-process entry. Only the entry (and the message schemas beside it)
 * is built; the station itself stays TypeScript run by Node's type stripping from
 * electron/station, because it locates its runner child, package.json and the shipped
 * sequences relative to its own files. So `#station/*`, `#server/*`, `#contract/*` and
 * every package stay imports, resolved at run time through package.json.
 */
export default defineConfig({
  build: {
    lib: { entry: 'electron/station/utility-entry.ts', formats: ['es'], fileName: () => 'utility-entry.js' },
    rollupOptions: {
      // Subpath imports, node: builtins and bare package names; relative files are built in.
      external: [/^#/, /^node:/, /^@/, /^[a-z][\w.-]*(?:\/|$)/i],
    },
    sourcemap: true,
  },
});

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defineConfig, loadConfigFromFile, mergeConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Under `electron-forge start`, React's fast-refresh preamble is an inline script, which the
 * strict CSP (script-src 'self') blocks. Load the same code as a file from the dev server
 * instead, so development runs under the production policy.
 */
function preambleAsFile(): Plugin {
  return {
    name: 'passline:react-preamble-as-file',
    apply: 'serve',
    transformIndexHtml: {
      order: 'post',
      handler: (html) =>
        html.replace(
          /<script type="module">(?:(?!<\/script>)[\s\S])*injectIntoGlobalHook(?:(?!<\/script>)[\s\S])*<\/script>/,
          '<script type="module" src="/@id/__x00__@vitejs/plugin-react/preamble"></script>',
        ),
    },
  };
}

/**
 * The desktop build of renderer/vite.config.ts (the config `npm run build:ui` uses), with
 * what the window needs pinned: output where main loads it from (.vite/renderer/main_window)
 * and relative asset paths, since the packaged app loads index.html from file://.
 */
export default defineConfig(async (env) => {
  const loaded = await loadConfigFromFile(env, join(root, 'renderer', 'vite.config.ts'), root);
  if (!loaded) throw new Error('renderer/vite.config.ts not found');
  return mergeConfig(loaded.config, {
    root: loaded.config.root ?? join(root, 'renderer'),
    base: './',
    build: { outDir: join(root, '.vite', 'renderer', 'main_window'), emptyOutDir: true },
    plugins: [preambleAsFile()],
  });
});

import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * src/early.ts is an entry of its own, loaded async from <head>, so it runs as soon as it
 * arrives instead of after the app's code (the page's module script).
 */
function earlyEntry(): Plugin {
  return {
    name: 'passline:early-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (_html, ctx) => {
        // The plant view (plant.html) has no History to ask for early.
        if (!ctx.path.endsWith('/index.html')) return [];
        const early = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'early');
        if (!early) throw new Error('the early entry was not built');
        return [{ tag: 'script', attrs: { type: 'module', async: true, crossorigin: true, src: `./${early.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  root,
  // Relative asset URLs, so the same build works from the headless server and from file:// in Electron.
  base: './',
  plugins: [react(), earlyEntry()],
  resolve: {
    alias: {
      '#contract': fileURLToPath(new URL('../electron/contract', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // The CSP forbids inline scripts; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        early: fileURLToPath(new URL('src/early.ts', import.meta.url)),
        // The plant view (features/plant), served by `passline plant`: its own page and entry, the same stack.
        plant: fileURLToPath(new URL('plant.html', import.meta.url)),
      },
    },
  },
});

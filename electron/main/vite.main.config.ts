import { defineConfig } from 'vite';

// Forge's Vite plugin merges this over its main-process defaults. We emit ESM `main.js`
// (package.json "main": ".vite/build/main.js", "type": "module"); contract, zod and
// electron-store are bundled in.
export default defineConfig({
  build: {
    lib: { entry: 'electron/main/main.ts', formats: ['es'], fileName: () => 'main.js' },
    // Bundled CommonJS packages (ws, ajv) require Node builtins: with platform 'node' the
    // bundler backs `require` with createRequire, which an ES module otherwise lacks.
    rollupOptions: { platform: 'node' },
    sourcemap: true,
  },
});

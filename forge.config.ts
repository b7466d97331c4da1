import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { MakerZIP } from '@electron-forge/maker-zip';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerSquirrel } from '@electron-forge/maker-squirrel';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * What the packaged app holds besides Vite's output: the station runs from its TypeScript
 * sources (Node type stripping) and forks its runner from them, loads the shipped
 * sequences, and resolves `#station/*` through package.json. Forge prunes devDependencies
 * from node_modules.
 */
const SHIPPED = ['/.vite', '/package.json', '/electron/contract', '/electron/station', '/electron/server', '/sequences', '/node_modules'];

function ignore(file: string): boolean {
  if (!file) return false;
  // Keep a shipped path, everything under it, and the folders leading to it.
  return !SHIPPED.some((keep) => file === keep || file.startsWith(`${keep}/`) || keep.startsWith(`${file}/`));
}

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Passline',
    executableName: 'passline',
    asar: true,
    ignore,
  },
  rebuildConfig: {},
  makers: [
    new MakerZIP({}, ['darwin', 'linux', 'win32']),
    new MakerDeb({ options: { name: 'passline', productName: 'Passline', categories: ['Development', 'Utility'], section: 'electronics' } }),
    new MakerSquirrel({ name: 'passline' }),
  ],
  plugins: [
    new VitePlugin({
      build: [
        // Each entry's file is also named in its Vite config (lib.entry), which wins.
        { entry: 'electron/main/main.ts', config: 'electron/main/vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload/preload.ts', config: 'electron/main/vite.preload.config.ts', target: 'preload' },
        { entry: 'electron/station/utility-entry.ts', config: 'electron/main/vite.utility.config.ts', target: 'main' },
      ],
      renderer: [{ name: 'main_window', config: 'electron/main/vite.renderer.config.ts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      // Stays on: the station forks each socket's runner with child_process.fork + ELECTRON_RUN_AS_NODE=1.
      [FuseV1Options.RunAsNode]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;

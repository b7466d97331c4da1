// Defined by Forge's Vite plugin at build time for the renderer named 'main_window'
// (forge.config.ts). Undefined outside `electron-forge start`.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;

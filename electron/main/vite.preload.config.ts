import { defineConfig } from 'vite';

// Forge's defaults fit a sandboxed preload: one CommonJS file (`preload.cjs`) with only
// `electron` left as a run-time require. The preload imports types from the contract only.
export default defineConfig({});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Relative asset paths, so the same build loads from file:// in Electron and from the web host.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
});

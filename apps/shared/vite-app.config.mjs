// Shared Vite settings of both apps: served by the backend under `base`,
// the dispatch contracts imported from src/contracts (one module, zod on both
// sides), everything bundled (no CDN, no web fonts, no map tiles).
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** @param {{ root: string, base: string }} app */
export function defineAppConfig({ root, base }) {
  return {
    root,
    base,
    plugins: [vue()],
    resolve: {
      alias: {
        '@contracts': here('../../src/contracts/dispatch.contracts.ts'),
        '@shared': here('./'),
      },
    },
    define: { __VUE_PROD_DEVTOOLS__: 'false', __VUE_OPTIONS_API__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
    build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000, reportCompressedSize: false },
    server: {
      proxy: {
        '/api': process.env.ANXIN_API ?? 'http://127.0.0.1:8080',
        '/socket.io': { target: process.env.ANXIN_API ?? 'http://127.0.0.1:8080', ws: true },
      },
    },
    logLevel: 'warn',
  };
}

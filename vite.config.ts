import { defineConfig, type Connect, type Plugin } from 'vite';
import { compileHints } from './scripts/compile-hints.mjs';
import { cssLiteralsPlugin } from './scripts/css-literals.mjs';
import { htmlLiteralsPlugin } from './scripts/html-literals.mjs';
import { labCodeSplitting } from './scripts/lab-parts.mjs';
import { uplotLazyIntlPlugin } from './scripts/uplot-lazy-intl.mjs';
import { wgslPlugin } from './scripts/wgsl-source.mjs';
import { workerBundlePlugins } from './scripts/worker-bundle.mjs';
import { tokenDeclarations } from './src/ui/design/token-table.ts';

/**
 * `import 'virtual:grad-tokens.css'`: the design tokens (src/ui/design/token-table.ts) declared on
 * the lab page's :root, so the page's own CSS and every element read the same values. In the
 * build it is part of the page's stylesheet, applied before the first paint.
 */
function designTokens(): Plugin {
  const id = 'virtual:grad-tokens.css';
  return {
    name: 'gradlab-design-tokens',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load: (resolved) => (resolved === `\0${id}` ? `:root {\n${tokenDeclarations()}\n}\n` : null),
  };
}

/**
 * Cross-origin isolation for the lab: with these headers the page may share memory between
 * threads (SharedArrayBuffer), and the CPU backend splits its passes between Web Workers. The
 * test pages under /e2e/pages/ stand for a third-party blog and are served without them.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const isolate: Connect.NextHandleFunction = (request, response, next) => {
  if (!request.url?.startsWith('/e2e/pages/')) {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
  }
  next();
};

function crossOriginIsolation(): Plugin {
  return {
    name: 'gradlab-cross-origin-isolation',
    configureServer: (server) => void server.middlewares.use(isolate),
    configurePreviewServer: (server) => void server.middlewares.use(isolate),
  };
}

export default defineConfig({
  plugins: [
    wgslPlugin(),
    cssLiteralsPlugin(),
    htmlLiteralsPlugin(),
    uplotLazyIntlPlugin(),
    crossOriginIsolation(),
    designTokens(),
  ],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  // The CPU worker fetches its WebAssembly kernels as .wasm files, and carries of the engine's
  // tables only what it computes with (scripts/worker-bundle.mjs).
  worker: {
    format: 'es',
    plugins: () => workerBundlePlugins(),
    // In a workers/ folder, with the files each reads beside it (src/backends/cpu/worker-file.ts).
    rollupOptions: {
      output: {
        entryFileNames: 'assets/workers/[name]-[hash].js',
        chunkFileNames: 'assets/workers/[name]-[hash].js',
        assetFileNames: 'assets/workers/[name]-[hash][extname]',
      },
    },
  },
  build: {
    target: 'es2022',
    // No preload lists beside the dynamic imports: a part's chunk imports only the shell and
    // earlier parts (scripts/lab-parts.mjs), which a reader has loaded already, and the lists
    // and their helper cost a reading of the lab about 1 KB.
    modulePreload: false,
    // The lab in dist/app/, beside the library (dist/lib/) and its types (dist/types/): building
    // one never empties the others.
    outDir: 'dist/app',
    rollupOptions: {
      // The lab (index.html) and the iframe route for embeds (embed.html).
      input: { main: 'index.html', embed: 'embed.html' },
      // One chunk per part of the page, in the reader's order (scripts/lab-parts.mjs).
      output: { codeSplitting: labCodeSplitting(), comments: false, postBanner: compileHints },
    },
  },
});

import { defineConfig } from 'vite';
import { compileHints } from './scripts/compile-hints.mjs';
import { codeSplitting } from './scripts/chunk-groups.mjs';
import { elementModules } from './scripts/element-modules.mjs';
import { cssLiteralsPlugin } from './scripts/css-literals.mjs';
import { htmlLiteralsPlugin } from './scripts/html-literals.mjs';
import { uplotLazyIntlPlugin } from './scripts/uplot-lazy-intl.mjs';
import { wgslPlugin } from './scripts/wgsl-source.mjs';
import { workerBundlePlugins } from './scripts/worker-bundle.mjs';

/** Every element's module as an entry of its own: dist/lib/elements/<tag>.js. */
function elementEntries(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(elementModules()).map(([tag, module]) => [`elements/${tag}`, module]),
  );
}

/**
 * `npm run build` (second step): dist/lib/, the embeddable library. gradlab.js is a small loader
 * that defines every tag and imports an element's chunk only when one is near the viewport;
 * chunks and the CPU worker are relative, same-origin files beside it, so a site copies the
 * folder and adds one script tag.
 */
export default defineConfig({
  plugins: [wgslPlugin(), cssLiteralsPlugin(), htmlLiteralsPlugin(), uplotLazyIntlPlugin()],
  // Relative URLs for chunks and the worker: the folder works wherever a site puts it.
  base: './',
  worker: {
    format: 'es',
    // The CPU worker fetches its WebAssembly kernels as .wasm files beside it, and carries of
    // the engine's tables only what it computes with (scripts/worker-bundle.mjs).
    plugins: () => workerBundlePlugins(),
    rollupOptions: {
      output: {
        entryFileNames: 'workers/[name]-[hash].js',
        // The worker's on-demand code (worker-jobs.ts, and browser-lanes.ts for its threads) and
        // what it shares with it.
        chunkFileNames: 'workers/[name]-[hash].js',
        // Its WebAssembly kernels, which it fetches relative to itself.
        assetFileNames: 'workers/[name]-[hash][extname]',
        comments: !!process.env.GRADLAB_INSPECT,
      },
    },
  },
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    emptyOutDir: true,
    // The lab's public files (its icon) are the lab's, not the library's.
    copyPublicDir: false,
    // GRADLAB_INSPECT=1 keeps the output readable, with each module's path as a comment.
    minify: !process.env.GRADLAB_INSPECT,
    lib: {
      entry: { gradlab: 'src/lib/gradlab.ts', ...elementEntries() },
      formats: ['es'],
    },
    rollupOptions: {
      // Needed with the groups below taking no dependencies along: an entry may export more.
      preserveEntrySignatures: 'allow-extension',
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        // Chunks shared with the lab's build (scripts/chunk-groups.mjs).
        codeSplitting,
        postBanner: compileHints,
        minify: !process.env.GRADLAB_INSPECT,
        // Minified, no comment is kept: not even `/* @__PURE__ */` marks, which only a bundler
        // reads (GRADLAB_INSPECT keeps them, with the module paths).
        comments: !!process.env.GRADLAB_INSPECT,
      },
    },
  },
});

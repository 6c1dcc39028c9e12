import { defineConfig } from 'vite';
import { elementModules } from './scripts/element-modules.mjs';
import { cssLiteralsPlugin } from './scripts/css-literals.mjs';
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
  plugins: [wgslPlugin(), cssLiteralsPlugin()],
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
        // A module every figure needs stays out of the chunks only some need, so an element that
        // reads no run spec (an activation plot) does not load the spec's parser with it. Modules
        // always loaded together are one chunk each (gzip compresses one file better than
        // several): what every figure draws with, the run spec with the lab's state (which the
        // lab's shell loads too), and what every figure that computes adds.
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [
            // What the loader imports, and figures too (near-viewport, aspect, figure-controls).
            {
              name: 'loader',
              test: /(lib\/registry|ui\/figure\/(near-viewport|aspect|figure-controls))\.ts$/,
            },
            // What every figure draws with: Lit, the activation table, the design tokens, the
            // figure base and the chart wrapper, and the attribute rules.
            {
              name: 'figure',
              test: /node_modules\/(lit-html\/lit-html|lit-element\/lit-element|@lit\/reactive-element\/(reactive-element|css-tag)|lit\/index)\.js$|engine\/(spec-rules|activations|special)\.ts$|ui\/(design\/(palette|tokens|token-table)|figure\/(grad-figure|figure-options|controls-level|define-figure|ready-queue)|grad-chart\/(grad-chart|grad-chart\.styles|chart-data|define)|lab\/(inside-lab|section\.styles))\.ts$/,
            },
            { name: 'spec', test: /(ui\/lab\/lab-state|engine\/spec|engine\/inits)\.ts$/ },
            // What every figure that computes adds: the run queue, and the worker it starts.
            {
              name: 'run-figure',
              test: /(ui\/(figure\/run-figure|lab\/(run-controller|run-queue|shared-runs))|backends\/(worker-script|experiment-runner|webgpu\/faults|cpu\/(worker-runner|browser-lanes)))\.ts$/,
            },
          ],
        },
        minify: !process.env.GRADLAB_INSPECT,
        // Minified, no comment is kept: not even `/* @__PURE__ */` marks, which only a bundler
        // reads (GRADLAB_INSPECT keeps them, with the module paths).
        comments: !!process.env.GRADLAB_INSPECT,
      },
    },
  },
});

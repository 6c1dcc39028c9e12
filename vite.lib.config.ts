import { defineConfig } from 'vite';
import { elementModules } from './scripts/element-modules.mjs';
import { wgslPlugin } from './scripts/wgsl-source.mjs';

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
  plugins: [wgslPlugin()],
  // Relative URLs for chunks and the worker: the folder works wherever a site puts it.
  base: './',
  worker: {
    format: 'es',
    rollupOptions: { output: { entryFileNames: 'workers/[name]-[hash].js' } },
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
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        // A module every figure needs stays out of the chunks only some need, so an element that
        // reads no run spec (an activation plot) does not load the spec's parser with it.
        codeSplitting: { groups: [{ name: 'spec-rules', test: /engine\/spec-rules\.ts$/ }] },
        minify: !process.env.GRADLAB_INSPECT,
      },
    },
  },
});

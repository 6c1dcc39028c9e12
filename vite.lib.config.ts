import { defineConfig } from 'vite';
import { wgslPlugin } from './scripts/wgsl-source.mjs';

/** `npm run build` (second step): dist/lib/gradlab.js, one self-contained ES module for embeds. */
export default defineConfig({
  plugins: [wgslPlugin()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    emptyOutDir: true,
    lib: { entry: 'src/lib/gradlab.ts', formats: ['es'], fileName: () => 'gradlab.js' },
    minify: true,
    // One file: the elements (loaded only where there is a DOM) and the CPU worker are inlined.
    rollupOptions: { output: { inlineDynamicImports: true, minify: true } },
  },
});

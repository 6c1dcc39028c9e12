// Node module hook: `import text from './file.wgsl?raw'` yields the file's text, as Vite does, and
// `import url from './x-worker.ts?worker&url'` a URL for the worker's file (raw-hooks.mjs).
// The CLI and the benchmark run under tsx, which has no Vite; this keeps one way of loading WGSL.
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);

// Node module hook: `import text from './file.wgsl?raw'` yields the file's text, as Vite does.
// The CLI and the benchmark run under tsx, which has no Vite; this keeps one way of loading WGSL.
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);

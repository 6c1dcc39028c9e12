// Node module hooks for what Vite resolves in the browser build: `?raw` text and `?worker&url`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compactWgsl } from './wgsl-source.mjs';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('?raw')) {
    const path = fileURLToPath(url.slice(0, -'?raw'.length));
    const file = await readFile(path, 'utf8');
    const text = path.endsWith('.wgsl') ? compactWgsl(file) : file;
    return {
      format: 'module',
      shortCircuit: true,
      source: `export default ${JSON.stringify(text)};`,
    };
  }
  // `import url from './x-worker.ts?worker&url'`: Vite's worker file URL. Node starts no browser
  // worker, so the module's own file URL stands for it (scripts that import the elements to read
  // their docs never start one).
  if (url.startsWith('file:') && url.endsWith('?worker&url')) {
    return {
      format: 'module',
      shortCircuit: true,
      source: `export default ${JSON.stringify(url.slice(0, -'?worker&url'.length))};`,
    };
  }
  return nextLoad(url, context);
}

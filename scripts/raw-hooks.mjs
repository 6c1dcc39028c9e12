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
  return nextLoad(url, context);
}

// How a shader file becomes the text gradlab compiles, in every environment (Vite dev and build,
// Vitest, and the Node loader that the CLI and the benchmark use): comments, indentation and blank
// lines are dropped, so the embeddable library carries half the bytes. WGSL has no string
// literals, so a `//` or `/*` always starts a comment. The files in shaders/ stay commented.

/** The WGSL text of a shader file's source, without comments or layout. */
export function compactWgsl(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** A Vite plugin: `import text from './x.wgsl?raw'` yields compactWgsl of the file. */
export function wgslPlugin() {
  return {
    name: 'gradlab-wgsl',
    enforce: 'pre',
    async load(id) {
      if (!id.endsWith('.wgsl?raw')) return null;
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(id.slice(0, -'?raw'.length), 'utf8');
      return `export default ${JSON.stringify(compactWgsl(text))};`;
    },
  };
}

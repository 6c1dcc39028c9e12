// The Vite plugins of the CPU worker's bundles (`worker.plugins` in vite.config.ts and
// vite.lib.config.ts), which leave out of the worker what it never uses.
//
// fetchWasmInWorker: imports of kernels-wasm.generated.ts, the WebAssembly kernels embedded as
// base64, resolve to kernels-wasm.fetch.ts, which fetches the same bytes as .wasm files emitted
// beside the worker. Only the worker is built with it: the page's own copy of the engine (runs on
// the page where workers are forbidden), Vite's dev server, Node and the tests keep the embedded
// bytes, and bundles that do not import the kernels (the import worker) are unchanged, and so is
// the worker in one file (cpu-worker-whole.ts), which carries its kernels with it.
import { fileURLToPath } from 'node:url';

const GENERATED = fileURLToPath(
  new URL('../src/backends/cpu/wasm/kernels-wasm.generated.ts', import.meta.url),
);
const FETCHED = fileURLToPath(
  new URL('../src/backends/cpu/wasm/kernels-wasm.fetch.ts', import.meta.url),
);

/** The plugin: kernels-wasm.generated.ts → kernels-wasm.fetch.ts, whatever the import says. */
export function fetchWasmInWorker() {
  let whole = false;
  return {
    name: 'gradlab-fetch-wasm-in-worker',
    enforce: 'pre',
    buildStart(options) {
      whole = isWholeWorker(options);
    },
    async resolveId(source, importer, options) {
      if (whole || !source.includes('kernels-wasm.generated')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === GENERATED ? FETCHED : null;
    },
  };
}

/**
 * The fields of the engine's tables (src/engine/activations.ts, src/engine/inits.ts) that only
 * pages read: the formulas as TeX, where each definition comes from, and the WGSL bodies of the
 * GPU kernels. The CPU worker computes with the functions and numbers alone.
 */
export const PAGE_ONLY_FIELDS = {
  'src/engine/activations.ts': [
    'tex',
    'derivativeTex',
    'rangeTex',
    'source',
    'wgslForward',
    'wgslDerivative',
  ],
  'src/engine/inits.ts': ['tex', 'source'],
};

/** A table's source (`file`, a key of PAGE_ONLY_FIELDS) with its page-only strings emptied. */
export function leanTable(file, source) {
  const fields = PAGE_ONLY_FIELDS[file];
  const value = new RegExp(
    `(\\n\\s*(?:${fields.join('|')}):\\s*)('(?:[^'\\\\\\n]|\\\\.)*'|"(?:[^"\\\\\\n]|\\\\.)*")`,
    'g',
  );
  return source.replace(value, "$1''");
}

/** Whether a bundle's input is the worker in one file (src/backends/cpu/cpu-worker-whole.ts). */
function isWholeWorker(options) {
  const input = options.input ?? [];
  const entries = typeof input === 'string' ? [input] : Object.values(input);
  return entries.some((entry) => /cpu-worker-whole\.ts/.test(String(entry)));
}

/**
 * The worker in one file is one file: its dynamic imports (its threads, its rarer jobs) are
 * inlined, and its kernels stay embedded (fetchWasmInWorker leaves them).
 */
export function oneFileWholeWorker() {
  let whole = false;
  return {
    name: 'gradlab-one-file-whole-worker',
    options(options) {
      whole = isWholeWorker(options);
      return null;
    },
    outputOptions(options) {
      return whole ? { ...options, codeSplitting: false } : null;
    },
  };
}

/** leanTable as a plugin, for the CPU worker's bundles only. */
export function leanTablesInWorker() {
  return {
    name: 'gradlab-lean-tables-in-worker',
    enforce: 'pre',
    transform(code, id) {
      const file = Object.keys(PAGE_ONLY_FIELDS).find((name) => id.endsWith(`/${name}`));
      return file ? { code: leanTable(file, code), map: null } : null;
    },
  };
}

/** Every plugin of the CPU worker's bundles. */
export function workerBundlePlugins() {
  return [fetchWasmInWorker(), leanTablesInWorker(), oneFileWholeWorker()];
}

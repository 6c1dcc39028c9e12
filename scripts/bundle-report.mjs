#!/usr/bin/env node
// What a page pays for gradlab, computed from the built library (dist/lib) and lab (dist/app): for a
// page with one element, the loader, the element's module, every chunk it imports statically, and
// the CPU worker where its code can start one, with the WebAssembly kernels it fetches, in gzipped
// bytes. `npm run build` prints the table; the browser tests measure the same transfers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { onDemandElements } from './lab-parts.mjs';

/** The budgets of the figures issue, in gzipped bytes (decimal kilobytes). */
export const BUDGETS = {
  'grad-activation-plot': 45_000,
  'grad-depth-sweep': 75_000,
  lab: 200_000,
};
/** Elements that compute nothing, so never load the run queue or the worker. */
const NO_RUNS = new Set(['grad-activation-plot']);
export const LOADER_BUDGET = 8_000;

const gz = (file) => gzipSync(readFileSync(file)).length;

/**
 * Chunks imported dynamically only when a page asks for them: other elements, the WebGPU backend,
 * exports and the Embed panel, the in-page CPU fallback, heat-maps and bars, a figure's controls
 * (none with controls="none", as the budgets are measured), the CPU worker's threads (only on a
 * cross-origin-isolated page), and the run queue (counted apart, for elements that run).
 */
const ON_DEMAND =
  /elements\/|webgpu-backend|training-gpu|adapter-|chart-export|figure-embed|controls-|worker-jobs|browser-lanes|experiment-|training-|chart-layers|run-queue/;

/**
 * Relative module specifiers a file imports, statically or (unless on demand) dynamically, the
 * worker files it can start, and the WebAssembly files it fetches (`new URL("x.wasm", …)`).
 */
function references(file) {
  const text = readFileSync(file, 'utf8');
  const imports = new Set();
  // `from"./x.js"` and `import"./x.js"`: static imports.
  for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g))
    imports.add(normalize(join(dirname(file), match[1])));
  // `import("./x.js")`: what an element loads as soon as it draws (uPlot).
  for (const match of text.matchAll(/\bimport\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g)) {
    if (!ON_DEMAND.test(match[1])) imports.add(normalize(join(dirname(file), match[1])));
  }
  const workers = new Set();
  // The worker in one file (cpu-worker-whole) starts only in a consumer's bundle, in place of
  // the other, never beside it.
  for (const match of text.matchAll(
    /new URL\(\s*["'`](\.{1,2}\/[^"'`]*workers\/[^"'`]+\.js)["'`]/g,
  ))
    if (!match[1].includes('cpu-worker-whole'))
      workers.add(normalize(join(dirname(file), match[1])));
  const assets = new Set();
  for (const match of text.matchAll(/new URL\(\s*["'`]((?:\.{1,2}\/)?[\w./-]+\.wasm)["'`]/g))
    assets.add(normalize(join(dirname(file), match[1])));
  return { imports, workers, assets };
}

/**
 * Every file a module pulls in statically, and the WebAssembly files they fetch, with the workers
 * any of them can start.
 */
export function closure(entry) {
  const files = new Set();
  const workers = new Set();
  const visit = (file) => {
    if (files.has(file)) return;
    files.add(file);
    const refs = references(file);
    refs.workers.forEach((worker) => workers.add(worker));
    refs.assets.forEach((asset) => files.add(asset));
    refs.imports.forEach(visit);
  };
  visit(entry);
  return { files, workers };
}

export function bytes(files) {
  let total = 0;
  for (const file of files) total += gz(file);
  return total;
}

/**
 * A page with one element of `tag`, loaded through the loader, with the chunks the element loads
 * when it runs (`runs`: the run queue, the worker runner and the CPU worker, with every chunk the
 * worker imports and the WebAssembly kernels it fetches); an element that computes nothing (an
 * activation plot) never loads them.
 */
export function elementCost(libDir, tag, { runs = true } = {}) {
  const loader = closure(join(libDir, 'gradlab.js'));
  const element = closure(join(libDir, 'elements', `${tag}.js`));
  const files = new Set([...loader.files, ...element.files]);
  if (runs) {
    const queue = readdirSync(join(libDir, 'chunks')).find((name) => name.startsWith('run-queue-'));
    if (queue) {
      const run = closure(join(libDir, 'chunks', queue));
      run.files.forEach((file) => files.add(file));
      // Each worker with what it imports in turn (its on-demand jobs apart).
      for (const worker of run.workers) closure(worker).files.forEach((file) => files.add(file));
    }
  }
  return { files, gzip: bytes(files) };
}

/**
 * Chunks of the lab that load only on a reader's action (an Embed or export click, the settings
 * panel, a dropped run file and the charts it brings, training on the GPU), or on a page where no
 * worker may start (the page's own copy of the worker's jobs).
 */
const LAB_ON_ACTION = new RegExp(
  `(${[
    'chart-export',
    'figure-embed',
    'settings',
    'import-session',
    'import-worker',
    'training-gpu',
    'worker-jobs',
    'cpu-worker-whole',
    ...onDemandElements().map(({ name }) => name),
  ].join('|')})-`,
);

/**
 * What a reader of the built lab (dist/app/) downloads from the top of the page to its end: the
 * page, its scripts and styles, every chunk they import (statically, or dynamically unless on a
 * reader's action), the workers they start and the WebAssembly those fetch, with everything a
 * worker imports. e2e/audit.spec.ts measures the same reading in the browser.
 */
export function labCost(appDir) {
  const files = new Set();
  const visit = (file, inWorker) => {
    if (files.has(file) || !existsSync(file)) return;
    files.add(file);
    if (!file.endsWith('.js')) return;
    const text = readFileSync(file, 'utf8');
    const targets = [];
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*["'`](\.{1,2}\/[^"'`]+)["'`]/g))
      targets.push([join(dirname(file), match[1]), false]);
    for (const match of text.matchAll(/\bimport\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g))
      targets.push([join(dirname(file), match[1]), true]);
    // Workers and WebAssembly, by absolute URL (`/assets/cpu-worker-….js`).
    for (const match of text.matchAll(/["'`]\/(assets\/[\w./-]+\.(?:js|wasm))["'`]/g))
      targets.push([join(appDir, match[1]), true]);
    for (const [target, onDemand] of targets) {
      if (onDemand && !inWorker && LAB_ON_ACTION.test(target)) continue;
      visit(target, inWorker || /worker-[\w-]+\.js$/.test(target));
    }
  };
  const page = join(appDir, 'index.html');
  files.add(page);
  for (const match of readFileSync(page, 'utf8').matchAll(/(?:src|href)="\/([^"#]+)"/g)) {
    visit(join(appDir, match[1]), false);
  }
  return { files, gzip: bytes(files) };
}

function row(name, gzip, budget) {
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const verdict = budget === undefined ? '' : gzip <= budget ? 'within' : 'OVER';
  return `| ${name} | ${kb(gzip)} | ${budget === undefined ? '' : kb(budget)} | ${verdict} |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(dirname(new URL(import.meta.url).pathname), '..');
  const lib = join(root, 'dist', 'lib');
  const lines = ['| what a page loads (gzipped) | size | budget | |', '|---|---:|---:|---|'];
  lines.push(
    row(
      'the loader, dist/lib/gradlab.js',
      bytes(closure(join(lib, 'gradlab.js')).files),
      LOADER_BUDGET,
    ),
  );
  let over = 0;
  for (const [tag, budget] of Object.entries(BUDGETS)) {
    if (tag === 'lab') continue;
    const { gzip } = elementCost(lib, tag, { runs: !NO_RUNS.has(tag) });
    if (gzip > budget) over++;
    lines.push(row(`one <${tag}> alone`, gzip, budget));
  }
  if (existsSync(join(root, 'dist', 'app', 'index.html'))) {
    const { gzip } = labCost(join(root, 'dist', 'app'));
    if (gzip > BUDGETS.lab) over++;
    lines.push(row('the whole lab page, read to its end', gzip, BUDGETS.lab));
  }
  console.log(lines.join('\n'));
  if (over) console.log(`\n${over} budget(s) exceeded.`);
  void relative;
}

// How the lab's build (vite.config.ts) splits its code: one chunk per part of the page, in the
// reader's order, instead of the library's chunk per element. The library is cut fine so that a
// blog pays only for the figures it shows; the lab shows them all as the reader scrolls, and gzip
// compresses one file of a part's modules far better than twenty small ones: a reading of the
// whole lab went from 241 KB in 111 files to 206 KB in 27 with this alone (e2e/audit.spec.ts).
//
// A part is one <section> of index.html, in order, with the figures its elements' templates use;
// the first, the opening, is also the lab's shell (the page's module and its static imports). A
// module belongs to the first part whose static imports reach it, so a part's chunk imports only
// earlier parts' chunks, which a reader who scrolls has already loaded. Code imported on demand
// (uPlot, the WebGPU backend, the Embed panel, the run-file parser) keeps chunks of its own, the
// settings panel's form and exporter one chunk (settings), and what the embed route (embed.html)
// shares with the lab, the loader and its registry, one more.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elementModules } from './element-modules.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const TAG = /<(grad-[a-z-]+)/g;

/** The modules of a folder: [file name, text]. */
const sourcesIn = (folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [name, readFileSync(join(root, folder, name), 'utf8')]);

/** Tags whose define module a file imports on demand: `import('…/<tag>/define.ts')`. */
const ON_DEMAND = /\bimport\(\s*['"`][^'"`]*\/(grad-[a-z-]+)\/define\.ts['"`]\s*\)/g;

/**
 * The gradlab tags a folder's templates use, in order of first use, but for those it imports on
 * demand (the import section's run-file charts, which load with the first file a reader drops).
 */
function tagsIn(folder) {
  const sources = sourcesIn(folder);
  const later = new Set(
    sources.flatMap(([, text]) => [...text.matchAll(ON_DEMAND)].map((m) => m[1])),
  );
  const tags = [];
  for (const [, text] of sources) {
    for (const [, tag] of text.matchAll(TAG)) {
      if (!tags.includes(tag) && !later.has(tag)) tags.push(tag);
    }
  }
  return tags;
}

/**
 * The elements a section imports on demand, each in a chunk named after its tag, with what it
 * needs beyond the parts: scripts/bundle-report.mjs counts them as loaded on a reader's action.
 */
export function onDemandElements() {
  const modules = elementModules();
  const tags = new Set();
  for (const folder of Object.values(modules).map(dirname)) {
    for (const [, text] of sourcesIn(folder)) {
      for (const [, tag] of text.matchAll(ON_DEMAND)) if (modules[tag]) tags.add(tag);
    }
  }
  return [...tags].map((tag) => ({ name: tag, roots: [modules[tag]] }));
}

/**
 * The lab's parts, in the reader's order: `{ name, roots }`, where roots are the modules (paths
 * from the repository root) the part starts from. A part is one `<section>` of index.html: its
 * sections' elements and the figures their templates use. The first, the opening (`lab`), is also
 * the shell: the page's own module and its static imports; the others are `part-<id>`. The settings panel's elements are no part: they load when the
 * reader opens the panel, in the chunks the bundler makes for them, which share what they share
 * with on-demand code (the WebGPU backend uses the PyTorch export's row code).
 */
export function labParts(html = readFileSync(join(root, 'index.html'), 'utf8')) {
  const modules = elementModules();
  const blocks = html.split(/<section\b/).slice(1);
  if (blocks.length === 0) throw new Error('lab-parts: index.html has no <section> parts');
  const placed = new Set();
  const parts = blocks.map((block, index) => {
    const id = /^[^>]*\bid="([^"]+)"/.exec(block)?.[1];
    if (!id) throw new Error(`lab-parts: part ${index + 1} of index.html has no id`);
    const roots = [];
    for (const [, tag] of block.matchAll(TAG)) {
      if (!modules[tag])
        throw new Error(`lab-parts: index.html uses <${tag}>, which has no module`);
      // A section's figures are the tags its templates use (src/ui/<tag>/*.ts).
      const inside = dirname(modules[tag]) === `src/ui/${tag}` ? tagsIn(`src/ui/${tag}`) : [];
      for (const used of [tag, ...inside]) {
        if (modules[used] && !placed.has(used)) {
          placed.add(used);
          roots.push(modules[used]);
        }
      }
    }
    return { name: index === 0 ? 'lab' : `part-${id}`, roots };
  });
  // The first part, the opening, is also the shell: the page's own module, and the run queue,
  // which the lab imports on its first run (at once: the opening figure runs).
  parts[0].roots.unshift('src/main.ts', 'src/ui/lab/run-queue.ts');
  return parts;
}

/**
 * What the lab imports on demand but never before the part that uses it runs: on a reader's
 * action (an Embed or export click, the settings panel, a dropped run file, training on the GPU),
 * where no worker may start (the page's own copy of the worker's jobs), or when a run or training
 * needs it (the WebGPU backend and what runs it on the page, the training state). Such code may
 * pull in an earlier part's chunk, or a later one's where a reader asks for it early (backend=webgpu
 * from the start), rather than keep the modules it shares with the parts out of them.
 */
const LOADED_LATE =
  /[\\/]src[\\/](backends[\\/](cpu[\\/](worker-jobs|training-state)|webgpu[\\/](training-gpu|webgpu-backend))|engine[\\/]experiment|ui[\\/](figure[\\/]figure-embed|grad-chart[\\/]chart-export|grad-spec-form[\\/]define)|import[\\/]import-session)\.ts$/;

/** Every module a module reaches by static imports, itself included. */
function staticClosure(id, context) {
  const seen = new Set();
  const stack = [id];
  while (stack.length > 0) {
    const next = stack.pop();
    if (seen.has(next)) continue;
    const info = context.getModuleInfo(next);
    if (!info) continue;
    seen.add(next);
    stack.push(...info.importedIds);
  }
  return seen;
}

/** The `codeSplitting` option of the lab's build. */
export function labCodeSplitting(
  parts = labParts(),
  embedEntry = 'src/embed.ts',
  onDemand = onDemandElements(),
) {
  let partOf = null;
  const assign = (context) => {
    partOf = new Map();
    // Elements load through the registry, each with its part (or, outside the parts, alone).
    const elements = new Set(Object.values(elementModules()).map((module) => join(root, module)));
    // Apart from every part: what the embed route shares with the lab, and what the page imports
    // on demand before a part needs it (the WebGPU adapter, uPlot, a figure's controls…), with
    // everything that imports statically, so that loading it never pulls in a later part's chunk.
    const apart = new Set();
    const keepApart = (ids) => {
      for (const id of ids) {
        for (const target of context.getModuleInfo(id)?.dynamicallyImportedIds ?? []) {
          if (elements.has(target) || LOADED_LATE.test(target)) continue;
          for (const on of staticClosure(target, context)) if (!partOf.has(on)) apart.add(on);
        }
      }
    };
    const shared = staticClosure(join(root, embedEntry), context);
    shared.forEach((id) => apart.add(id));
    keepApart(shared);
    for (const { name, roots } of parts) {
      const members = [];
      for (const rootModule of roots) {
        for (const id of staticClosure(join(root, rootModule), context)) {
          if (apart.has(id) || partOf.has(id)) continue;
          partOf.set(id, name);
          members.push(id);
        }
      }
      keepApart(members);
    }
    // After every part, so that a part keeps what it shares with them.
    for (const { name, roots } of onDemand) {
      for (const id of staticClosure(join(root, roots[0]), context)) {
        if (!apart.has(id) && !partOf.has(id)) partOf.set(id, name);
      }
    }
  };
  return {
    includeDependenciesRecursively: false,
    groups: [
      {
        debugName: 'lab-parts',
        name: (id, context) => {
          if (partOf === null) assign(context);
          return partOf.get(id) ?? null;
        },
      },
      // The settings panel's form and PyTorch exporter, which load when the reader opens it.
      {
        name: 'settings',
        test: /[\\/]src[\\/](ui[\\/]grad-(spec-form|export-pytorch)|export)[\\/]/,
      },
    ],
  };
}

// How the library (vite.lib.config.ts) splits its code into chunks, beyond one chunk per dynamic
// import (the lab's build splits by part of its page instead: lab-parts.mjs). A module every figure needs stays out of the chunks only
// some need, so an element that reads no run spec (an activation plot) does not load the spec's
// parser with it. Modules always loaded together are one chunk each (gzip compresses one file
// better than several): what every figure draws with, the run spec with the lab's state (which
// the lab's shell loads too), and what every figure that computes adds. Groups take no
// dependencies along (`includeDependenciesRecursively: false`).
export const CHUNK_GROUPS = [
  // What the loader imports, and figures too (near-viewport, aspect, figure-controls).
  {
    name: 'loader',
    test: /(lib\/registry|ui\/figure\/(near-viewport|aspect|figure-controls))\.ts$/,
  },
  // What every figure draws with: Lit, the activation table, the design tokens, the figure base
  // and the chart wrapper, and the attribute rules.
  {
    name: 'figure',
    test: /node_modules\/(lit-html\/lit-html|lit-element\/lit-element|@lit\/reactive-element\/(reactive-element|css-tag)|lit\/index)\.js$|engine\/(spec-rules|activations|special)\.ts$|ui\/(design\/(palette|tokens|token-table)|figure\/(grad-figure|figure-options|controls-level|define-figure|ready-queue)|grad-chart\/(grad-chart|grad-chart\.styles|chart-data|define)|lab\/(inside-lab|section\.styles))\.ts$/,
  },
  { name: 'spec', test: /(ui\/lab\/lab-state|engine\/spec|engine\/inits)\.ts$/ },
  // What every figure that computes adds: the run queue, and the worker it starts.
  {
    name: 'run-figure',
    test: /(ui\/(figure\/run-figure|lab\/(run-controller|run-queue|shared-runs))|backends\/(worker-script|experiment-runner|webgpu\/faults|cpu\/(worker-runner|thread-plan)))\.ts$/,
  },
];

/** The `codeSplitting` option of the library's build. */
export const codeSplitting = { includeDependenciesRecursively: false, groups: CHUNK_GROUPS };

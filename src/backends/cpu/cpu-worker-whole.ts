/// <reference lib="webworker" />
/**
 * The CPU worker in one file: the same worker as cpu-worker.ts, built with its WebAssembly kernels
 * embedded (base64) and its threads and rarer jobs (browser-lanes.ts, worker-jobs.ts) inlined
 * (scripts/worker-bundle.mjs). gradlab's own builds start cpu-worker.ts, which reads those from
 * files beside it, so that a page downloads only what it uses; a package consumer's bundler
 * copies a worker file alone, without what lies beside it, and there this one is started instead
 * (worker-file.ts).
 */
import './cpu-worker.ts';

import type { Plugin } from 'vite';
/** Resolves kernels-wasm.generated.ts to kernels-wasm.fetch.ts: for worker bundles only. */
export function fetchWasmInWorker(): Plugin;
/** The engine tables' fields that only pages read, by file. */
export const PAGE_ONLY_FIELDS: Readonly<Record<string, readonly string[]>>;
/** A table's source with its page-only strings emptied. */
export function leanTable(file: string, source: string): string;
export function leanTablesInWorker(): Plugin;
/** The worker in one file (cpu-worker-whole.ts) as one file: its dynamic imports inlined. */
export function oneFileWholeWorker(): Plugin;
/** Every plugin of the CPU worker's bundles. */
export function workerBundlePlugins(): Plugin[];

import type { Plugin } from 'vite';
/** Resolves kernels-wasm.generated.ts to kernels-wasm.fetch.ts: for worker bundles only. */
export function fetchWasmInWorker(): Plugin;
/** The engine tables' fields that only pages read, by file. */
export const PAGE_ONLY_FIELDS: Readonly<Record<string, readonly string[]>>;
/** A table's source with its page-only strings emptied. */
export function leanTable(file: string, source: string): string;
export function leanTablesInWorker(): Plugin;
/** Every plugin of the CPU worker's bundles. */
export function oneFileWholeWorker(): Plugin;
export function workerBundlePlugins(): Plugin[];

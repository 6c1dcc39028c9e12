/**
 * Run files that figures fetch by URL (`<grad-run-file-chart src=…>`), shared: every figure on a
 * page that names the same file (the same absolute URL) shows one fetch and one import, and the
 * page has one import worker (sharedRunImporter, also used by grad-import). A file is fetched
 * only from the page's own origin. An import that no figure waits for any more (every one was
 * removed) is cancelled.
 */
import type { ImportOutcome, RunImporter } from '../../import/import-client.ts';
import type { ImportProgress } from '../../import/import-protocol.ts';
import { createRunImporter } from '../../import/run-import.ts';

let importer: RunImporter | null = null;

/** The page's one run-file importer (its worker starts with the first import). */
export function sharedRunImporter(): RunImporter {
  importer ??= createRunImporter();
  return importer;
}

/** What a figure sees of a file it asked for. */
export type RunFileLoad =
  | { readonly status: 'loading'; readonly progress: ImportProgress | null }
  | { readonly status: 'done'; readonly outcome: ImportOutcome }
  /** The file could not be fetched (not the same as a file that is not a run file). */
  | { readonly status: 'failed'; readonly message: string };

type Listener = (load: RunFileLoad) => void;

interface Entry {
  load: RunFileLoad;
  readonly listeners: Set<Listener>;
  readonly controller: AbortController;
}

const entries = new Map<string, Entry>();

/** The page's address, where there is one (not in Node). */
function pageUrl(): string | null {
  return typeof location === 'undefined' ? null : location.href;
}

/**
 * The absolute URL of `raw` when it is on the page's own origin (a relative URL always is), or
 * null. Without a page (Node: docs, tests), any http(s) URL or relative path is accepted.
 */
export function sameOriginUrl(raw: string, base: string | null = pageUrl()): string | null {
  const text = raw.trim();
  if (text === '') return null;
  try {
    const url = new URL(text, base ?? 'http://localhost/');
    if (base === null)
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    return url.origin === new URL(base).origin ? url.href : null;
  } catch {
    return null;
  }
}

async function fetchAndImport(url: string, entry: Entry): Promise<void> {
  const set = (load: RunFileLoad): void => {
    entry.load = load;
    for (const listener of entry.listeners) listener(load);
  };
  const { signal } = entry.controller;
  let blob: Blob;
  try {
    // mode same-origin: a redirect to another origin fails too.
    const response = await fetch(url, { mode: 'same-origin', credentials: 'same-origin', signal });
    if (!response.ok)
      throw new Error(
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      );
    // A server that answers every address with its site's page (a single-page app's fallback).
    if (/^text\/html\b/i.test(response.headers.get('content-type') ?? ''))
      throw new Error('the server sent an HTML page, not a run file: is the address right?');
    blob = await response.blob();
  } catch (error) {
    if (signal.aborted) return;
    set({
      status: 'failed',
      message: `could not fetch ${url} (${error instanceof Error ? error.message : String(error)})`,
    });
    return;
  }
  try {
    const outcome = await sharedRunImporter().importFile(blob, {
      signal,
      onProgress: (progress) => set({ status: 'loading', progress }),
    });
    set({ status: 'done', outcome });
  } catch (error) {
    if (signal.aborted) return;
    set({
      status: 'failed',
      message: `could not read ${url} (${error instanceof Error ? error.message : String(error)})`,
    });
  }
}

/**
 * Tells `listener` how the file at `url` (absolute, same-origin: sameOriginUrl) loads: at once
 * with what is known, then at each change. Fetches and imports it unless another figure already
 * did or does. Returns the function that stops listening; the last listener to stop before the
 * import ends cancels it.
 */
export function watchRunFile(url: string, listener: Listener): () => void {
  let entry = entries.get(url);
  if (!entry) {
    entry = {
      load: { status: 'loading', progress: null },
      listeners: new Set(),
      controller: new AbortController(),
    };
    entries.set(url, entry);
    void fetchAndImport(url, entry);
  }
  const current = entry;
  current.listeners.add(listener);
  listener(current.load);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size > 0) return;
    // Nobody waits any more: stop a load in progress, and let a failed fetch be tried again.
    if (current.load.status !== 'done') {
      current.controller.abort();
      entries.delete(url);
    }
  };
}

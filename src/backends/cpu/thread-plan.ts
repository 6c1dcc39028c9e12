/**
 * How many threads the CPU backend may use on this page, and why: the page's side of the
 * browser's threads (browser-lanes.ts is the workers' side). It imports nothing, so the figures
 * that show the plan (the timings, the thread scaling) do not bring the CPU engine with them.
 */

/** The most threads the lab uses in a browser (more buys little at the lab's widths). */
export const MAX_BROWSER_THREADS = 8;

export interface ThreadPlan {
  /** Threads for the CPU backend, the coordinating worker included. */
  readonly threads: number;
  /** Why this many, in words. */
  readonly reason: string;
}

/** How many CPU threads this page can use, and why. */
export function browserThreadPlan(): ThreadPlan {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  if (!globalThis.crossOriginIsolated) {
    return {
      threads: 1,
      reason:
        'this page is not cross-origin isolated, so threads cannot share memory (that needs ' +
        'the headers Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp)',
    };
  }
  if (cores < 2) return { threads: 1, reason: 'the browser reports one core' };
  const threads = Math.min(cores, MAX_BROWSER_THREADS);
  return {
    threads,
    reason:
      `the browser reports ${cores} cores` +
      (threads < cores ? `; the lab uses at most ${MAX_BROWSER_THREADS}` : ''),
  };
}

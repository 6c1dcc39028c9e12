/**
 * How much of each core this machine's host takes away: one spinning thread per core reads the
 * clock as fast as it can for a while, and every gap between two reads longer than GAP_MS is time
 * the thread did not run: the hypervisor ran something else on that core, or the kernel did, or
 * another process or thread (this process's own included: V8's compiler and garbage collector).
 *
 * The load average cannot show this: on a virtual machine whose cores the host shares, the guest
 * sees none of the host's other work. It matters most to the two-thread pass, which meets at a
 * barrier about a hundred times in 20–30 ms, so that a gap on either core stalls both lanes.
 */
import { Worker } from 'node:worker_threads';

/** Gaps shorter than this are the clock read itself and the loop (well under 1 µs here). */
const GAP_MS = 0.02;

/** One spinning thread's view. */
export interface HostGaps {
  /** Share of the time in gaps, %. */
  readonly lostPercent: number;
  /** Gaps longer than 0.2 ms, per second. */
  readonly longGapsPerSecond: number;
  readonly longestGapMs: number;
}

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const { ms, gapMs } = workerData;
const start = performance.now();
let last = start, lost = 0, longest = 0, long = 0;
for (;;) {
  const now = performance.now();
  const gap = now - last;
  if (gap > gapMs) {
    lost += gap;
    if (gap > longest) longest = gap;
    if (gap > 0.2) long++;
  }
  last = now;
  if (now - start >= ms) break;
}
const seconds = (last - start) / 1000;
parentPort.postMessage({
  lostPercent: (100 * lost) / (last - start),
  longGapsPerSecond: long / seconds,
  longestGapMs: longest,
});
`;

/** Spins `threads` threads at once for `ms` each; their views of the host, one per thread. */
export async function measureHostGaps(threads: number, ms = 1000): Promise<HostGaps[]> {
  return Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<HostGaps>((resolve, reject) => {
          const worker = new Worker(SPIN, { eval: true, workerData: { ms, gapMs: GAP_MS } });
          worker.once('message', (gaps: HostGaps) => {
            resolve(gaps);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
}

/** The views in words, for the bench's report. */
export function hostGapsLine(gaps: readonly HostGaps[]): string {
  return gaps
    .map(
      (g) =>
        `${g.lostPercent.toFixed(1)}% (${g.longGapsPerSecond.toFixed(0)} gaps over 0.2 ms a second, the longest ${g.longestGapMs.toFixed(1)} ms)`,
    )
    .join(', ');
}

/**
 * A team of CPU lanes on Node worker threads, for the CLI, `npm run bench` and tests.
 *
 * The threads run this repository's TypeScript sources: each starts from a small ES module (a
 * data: URL) that registers tsx's loader in the thread and imports lane-thread.ts, so it works the
 * same under tsx, vitest and plain node with tsx installed.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LANE_READY, LANE_START_TIMEOUT_MS, LaneTeam } from '../lanes.ts';

/** The most threads a team may have. */
export const MAX_THREADS = 64;

/** The threads the machine offers (os.availableParallelism). */
export function availableThreads(): number {
  return Math.max(1, Math.min(MAX_THREADS, os.availableParallelism?.() ?? os.cpus().length));
}

/** Checks a thread count from a flag or option; the message names `field`. */
export function parseThreads(raw: string | number, field = 'threads'): number {
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new RangeError(
      `${field}: got ${JSON.stringify(raw)}; allowed: an integer from 1 to ${MAX_THREADS} ` +
        `(this machine has ${availableThreads()} hardware threads)`,
    );
  }
  return value;
}

function bootstrapUrl(): URL {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./lane-thread.ts', import.meta.url).href;
  const source =
    `import { register } from ${JSON.stringify(tsxApi)};\n` +
    `register();\n` +
    `await import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * A team of `threads` lanes: this thread and threads − 1 workers, resolved once every worker
 * answered. The workers do not keep the process alive; `dispose()` ends them.
 */
export async function createNodeLaneTeam(threads: number): Promise<LaneTeam> {
  const url = threads > 1 ? bootstrapUrl() : null;
  const workers = Array.from({ length: threads - 1 }, () => {
    const worker = new Worker(url!, { name: 'gradlab-cpu-lane' });
    worker.unref();
    return worker;
  });
  const dispose = (): void => {
    for (const worker of workers) void worker.terminate();
  };
  const ready = workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.on('message', (message) => {
          if (message === LANE_READY) resolve();
        });
      }),
  );
  const team = new LaneTeam(workers, dispose);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`CPU threads did not start within ${LANE_START_TIMEOUT_MS} ms`)),
      LANE_START_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([Promise.all(ready), timeout]);
  } catch (error) {
    dispose();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // A 'message' listener refs a worker again: drop it, so that idle lanes never keep the
  // process alive.
  for (const worker of workers) {
    worker.removeAllListeners('message');
    worker.unref();
  }
  return team;
}

/**
 * Threads for the CPU backend in browsers: helper lanes are more instances of the CPU worker,
 * connected to the coordinating worker by MessagePorts (lanes.ts has the protocol). Sharing
 * memory needs a cross-origin-isolated page (headers Cross-Origin-Opener-Policy: same-origin and
 * Cross-Origin-Embedder-Policy: require-corp, which `npm start` sends); elsewhere, e.g. in a blog
 * that embeds a widget, the CPU backend runs on one thread and says why.
 */
import { kernelsOfVariant } from './cpu-backend.ts';
import {
  createLaneServer,
  LANE_READY,
  LANE_START_TIMEOUT_MS,
  LaneTeam,
  type LaneMessage,
} from './lanes.ts';

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

/**
 * In the coordinating worker: a team over the helper lanes' ports, once all of them answered;
 * null (with a console warning) when some did not within LANE_START_TIMEOUT_MS.
 */
export async function browserLaneTeam(ports: readonly MessagePort[]): Promise<LaneTeam | null> {
  const ready = ports.map(
    (port) =>
      new Promise<boolean>((resolve) => {
        port.onmessage = (event) => {
          if (event.data === LANE_READY) resolve(true);
        };
      }),
  );
  const team = new LaneTeam(ports, () => ports.forEach((port) => port.close()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), LANE_START_TIMEOUT_MS);
  });
  const started = await Promise.race([Promise.all(ready).then(() => true), timeout]);
  clearTimeout(timer);
  if (started) return team;
  console.warn(`gradlab: CPU threads did not start within ${LANE_START_TIMEOUT_MS} ms; using one`);
  team.dispose();
  return null;
}

/** In a helper worker: serves the lane protocol on `port`. */
export function serveLane(port: MessagePort): void {
  const server = createLaneServer(
    kernelsOfVariant,
    (ready) => port.postMessage(ready),
    () => {
      port.close();
      (globalThis as unknown as { close?: () => void }).close?.();
    },
  );
  port.onmessage = (event: MessageEvent<LaneMessage>) => server.handle(event.data);
}

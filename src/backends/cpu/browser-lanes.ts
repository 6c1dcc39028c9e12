/**
 * Threads for the CPU backend in browsers: helper lanes are more instances of the CPU worker,
 * connected to the coordinating worker by MessagePorts (lanes.ts has the protocol). Sharing
 * memory needs a cross-origin-isolated page (headers Cross-Origin-Opener-Policy: same-origin and
 * Cross-Origin-Embedder-Policy: require-corp, which `npm start` sends); elsewhere, e.g. in a blog
 * that embeds a widget, the CPU backend runs on one thread and says why (thread-plan.ts). This
 * module is the workers' side; a page only asks thread-plan.ts how many threads it may use.
 */
import { kernelsOfVariant } from './cpu-backend.ts';
import {
  createLaneServer,
  LANE_READY,
  LANE_START_TIMEOUT_MS,
  LaneTeam,
  type LaneMessage,
} from './lanes.ts';

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

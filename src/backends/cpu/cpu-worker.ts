/// <reference lib="webworker" />
/**
 * The CPU backend's Web Worker: runs experiments (from a spec, or a problem built by hand) off the
 * main thread and posts progress per layer; also computes Jacobian spectra (jacobian.ts), trains
 * chunks of steps (training.ts, on the worker's threads where it has some) and measures the CPU
 * roofline (roofline.ts). On a cross-origin-isolated page the same script also
 * runs as a helper lane of another instance (browser-lanes.ts). Cancellation terminates the
 * worker (see worker-runner.ts): a synchronous pass cannot be interrupted by a message, and
 * termination frees its memory at once. What it does with a message is worker-handler.ts.
 */
import { createWorkerHandler } from './worker-handler.ts';
import type { LaneSetup, WorkerRequest, WorkerResponse } from './worker-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** How long a 'terminate' fault waits for the page to terminate the worker. */
const TERMINATION_WAIT_MS = 5_000;

const handle = createWorkerHandler({
  post: (message: WorkerResponse) => scope.postMessage(message),
  // Thrown from a task of its own, so that it is uncaught: the page gets an error event.
  crash: (error) =>
    setTimeout(() => {
      throw error;
    }),
  awaitTermination: () => {
    // A synchronous wait: the page terminates the worker meanwhile (no shared memory needed).
    const until = performance.now() + TERMINATION_WAIT_MS;
    while (performance.now() < until);
  },
});

scope.onmessage = (event: MessageEvent<WorkerRequest | LaneSetup>) => void handle(event.data);
scope.postMessage({ type: 'ready' } satisfies WorkerResponse);

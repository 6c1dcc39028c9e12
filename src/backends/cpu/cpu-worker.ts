/// <reference lib="webworker" />
/**
 * The CPU backend's Web Worker: runs experiments (from a spec, or a problem built by hand) off the
 * main thread and posts progress per layer; also computes Jacobian spectra (jacobian.ts), trains
 * chunks of steps (training.ts, on the worker's threads where it has some) and measures the CPU
 * roofline (roofline.ts). On a cross-origin-isolated page the same script also
 * runs as a helper lane of another instance (browser-lanes.ts). Cancellation terminates the
 * worker (see worker-runner.ts): a synchronous pass cannot be interrupted by a message, and
 * termination frees its memory at once.
 */
import { browserLaneTeam, serveLane } from './browser-lanes.ts';
import type { LaneTeam } from './lanes.ts';
import { executeJacobian, executeRequest, executeRoofline, executeTrain } from './worker-jobs.ts';
import type { LaneSetup, WorkerRequest, WorkerResponse } from './worker-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/** The helper lanes this worker coordinates, once the page has set them up. */
let team: Promise<LaneTeam | null> = Promise.resolve(null);

scope.onmessage = async (event: MessageEvent<WorkerRequest | LaneSetup>) => {
  if (event.data.type === 'lanes') {
    team = browserLaneTeam(event.data.ports);
    return;
  }
  if (event.data.type === 'lane') {
    serveLane(event.data.port);
    return;
  }
  const { id } = event.data;
  try {
    if (event.data.type === 'jacobian') {
      post({ type: 'spectrum', id, spectrum: executeJacobian(event.data) });
      return;
    }
    if (event.data.type === 'roofline') {
      post({ type: 'roofline', id, roofline: executeRoofline(event.data) });
      return;
    }
    if (event.data.type === 'train') {
      post({ type: 'trained', id, chunk: executeTrain(event.data, {}, await team) });
      return;
    }
    const result = await executeRequest(
      event.data,
      { onProgress: (progress) => post({ type: 'progress', id, progress }) },
      await team,
    );
    post({ type: 'result', id, result });
  } catch (error) {
    post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
};

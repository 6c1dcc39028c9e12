/// <reference lib="webworker" />
/**
 * The CPU backend's Web Worker: runs experiments off the main thread and posts progress per layer.
 * Cancellation terminates the worker (see worker-runner.ts): a synchronous pass cannot be
 * interrupted by a message, and termination frees its memory at once.
 */
import { runExperiment } from '../../engine/experiment.ts';
import { createCpuBackend } from './cpu-backend.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

scope.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { id, spec } = event.data;
  try {
    const backend = createCpuBackend(spec.backend === 'cpu64' ? 'f64' : 'f32');
    const result = await runExperiment(spec, backend, {
      onProgress: (progress) => post({ type: 'progress', id, progress }),
    });
    post({ type: 'result', id, result });
  } catch (error) {
    post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
};

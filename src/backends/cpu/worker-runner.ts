/**
 * Runs CPU experiments in a Web Worker. One run at a time per runner; cancelling a run (through its
 * AbortSignal) terminates the worker, and the next run starts a fresh one.
 */
import type { RunProgress } from '../../engine/backend.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
}

export class CpuWorkerRunner {
  private worker: Worker | null = null;
  private nextId = 1;

  private ensureWorker(): Worker {
    this.worker ??= new Worker(new URL('./cpu-worker.ts', import.meta.url), {
      type: 'module',
      name: 'gradlab-cpu',
    });
    return this.worker;
  }

  run(spec: RunSpec, options: RunOptions = {}): Promise<RunResult> {
    if (spec.backend === 'webgpu')
      return Promise.reject(new Error('CpuWorkerRunner runs cpu and cpu64 only'));
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      const cleanup = (): void => {
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (event: MessageEvent<WorkerResponse>): void => {
        const message = event.data;
        if (message.id !== id) return;
        if (message.type === 'progress') onProgress?.(message.progress);
        else {
          cleanup();
          if (message.type === 'result') resolve(message.result);
          else reject(new Error(message.message));
        }
      };
      const onError = (event: ErrorEvent): void => {
        cleanup();
        this.dispose();
        reject(new Error(`the CPU worker failed: ${event.message || 'unknown error'}`));
      };
      const onAbort = (): void => {
        cleanup();
        this.dispose();
        reject(signal?.reason ?? new DOMException('The run was cancelled', 'AbortError'));
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      const request: WorkerRequest = { type: 'run', id, spec };
      worker.postMessage(request);
    });
  }

  /** Stops any run in progress and frees the worker. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}

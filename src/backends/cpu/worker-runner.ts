/**
 * Runs CPU experiments in a Web Worker: from a spec, or from a problem built by hand. One run at a
 * time per runner; cancelling a run (through its AbortSignal) terminates the worker, and the next
 * run starts a fresh one.
 *
 * The worker is inlined into the bundle (a blob URL), so the embeddable library stays one file and
 * fetches nothing. Where the page's Content-Security-Policy forbids such workers, runs happen on
 * the page itself, and `inPageReason` says why.
 */
import type { RunProgress } from '../../engine/backend.ts';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { Problem } from '../../engine/problem.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import type { TrainingChunk } from './training.ts';
import { browserThreadPlan, type ThreadPlan } from './browser-lanes.ts';
import CpuWorker from './cpu-worker.ts?worker&inline';
import type { Roofline } from './roofline.ts';
import { executeJacobian, executeRequest, executeRoofline, executeTrain } from './worker-jobs.ts';
import type {
  CpuBackendName,
  JacobianRequest,
  LaneSetup,
  RooflineRequest,
  RunRequest,
  TrainJob,
  TrainRequest,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.ts';

/** A response that ends a request. */
type WorkerAnswer = Extract<
  WorkerResponse,
  { type: 'result' | 'spectrum' | 'trained' | 'roofline' }
>;

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /** cpu runs: how many CPU threads to use (default: all of threadPlan's). */
  readonly threads?: number;
}

export class CpuWorkerRunner {
  private worker: Worker | null = null;
  /** Helper workers: the CPU backend's other threads (browser-lanes.ts). */
  private lanes: Worker[] = [];
  private nextId = 1;
  /** Set once a worker could not be started: then every run happens on the page. */
  inPageReason: string | null = null;
  /** How many threads the CPU backend uses on this page, and why. */
  readonly threadPlan: ThreadPlan = browserThreadPlan();

  private ensureWorker(): Worker | null {
    if (this.inPageReason !== null) return null;
    try {
      this.worker ??= this.startWorkers();
      return this.worker;
    } catch (error) {
      this.workerBlocked(error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  /** The coordinating worker, and its helper lanes where the page can share memory. */
  private startWorkers(): Worker {
    const worker = new CpuWorker({ name: 'gradlab-cpu' });
    const ports: MessagePort[] = [];
    for (let i = 1; i < this.threadPlan.threads; i++) {
      const lane = new CpuWorker({ name: `gradlab-cpu-lane-${i}` });
      const channel = new MessageChannel();
      const setup: LaneSetup = { type: 'lane', port: channel.port2 };
      lane.postMessage(setup, [channel.port2]);
      ports.push(channel.port1);
      this.lanes.push(lane);
    }
    if (ports.length > 0) {
      const setup: LaneSetup = { type: 'lanes', ports };
      worker.postMessage(setup, ports);
    }
    return worker;
  }

  private workerBlocked(detail: string): void {
    this.dispose();
    this.inPageReason =
      `this page does not allow gradlab's Web Worker (${detail}; a Content-Security-Policy needs ` +
      `worker-src blob: for it), so CPU runs happen on the page and may pause it`;
  }

  run(spec: RunSpec, options: RunOptions = {}): Promise<RunResult> {
    if (spec.backend === 'webgpu')
      return Promise.reject(new Error('CpuWorkerRunner runs cpu and cpu64 only'));
    return this.runRequest((id) => ({ type: 'run', id, spec, threads: options.threads }), options);
  }

  /** Runs a problem built by hand; its arrays are copied to the worker, so it stays usable here. */
  runProblem(
    problem: Problem,
    backend: CpuBackendName,
    options: RunOptions = {},
  ): Promise<RunResult> {
    return this.runRequest(
      (id) => ({ type: 'problem', id, problem, backend, threads: options.threads }),
      options,
    );
  }

  /**
   * The singular values of the spec's input–output Jacobian (jacobian.ts, f64 whatever the
   * spec's backend), computed in the worker: it is O(depth × width³).
   */
  jacobian(spec: RunSpec, options: RunOptions = {}): Promise<JacobianSpectrum> {
    const make = (id: number): JacobianRequest => ({ type: 'jacobian', id, spec });
    return this.request(
      make,
      options,
      (answer) => (answer.type === 'spectrum' ? answer.spectrum : null),
      (id) => this.inPage(options, () => Promise.resolve(executeJacobian(make(id)))),
    );
  }

  /**
   * Trains a chunk of steps (backends/cpu/training.ts) in the worker, on its threads where the
   * network is large enough (cpu; `threads` as for runs); the state is copied there.
   */
  train(job: TrainJob, options: RunOptions = {}): Promise<TrainingChunk> {
    const make = (id: number): TrainRequest => ({
      type: 'train',
      id,
      ...job,
      threads: job.threads ?? options.threads,
    });
    return this.request(
      make,
      options,
      (answer) => (answer.type === 'trained' ? answer.chunk : null),
      (id) => this.inPage(options, () => Promise.resolve(executeTrain(make(id), options))),
    );
  }

  /**
   * The CPU backend's roofline (roofline.ts): this engine's WebAssembly SIMD peaks, measured in
   * the worker (about 100–200 ms), and the kernels the backend computes with there.
   */
  roofline(options: RunOptions & { readonly sampleMs?: number } = {}): Promise<Roofline> {
    const make = (id: number): RooflineRequest => ({
      type: 'roofline',
      id,
      sampleMs: options.sampleMs,
    });
    return this.request(
      make,
      options,
      (answer) => (answer.type === 'roofline' ? answer.roofline : null),
      (id) => this.inPage(options, () => Promise.resolve(executeRoofline(make(id)))),
    );
  }

  private runRequest(make: (id: number) => RunRequest, options: RunOptions): Promise<RunResult> {
    return this.request(
      make,
      options,
      (answer) => (answer.type === 'result' ? answer.result : null),
      (id) => this.inPage(options, () => executeRequest(make(id), options)),
    );
  }

  /**
   * Sends one request to the worker and settles with `unwrap` of its answer (null: an answer of
   * the wrong kind, an error); `local` does the same job on the page where workers are refused.
   */
  private request<T>(
    make: (id: number) => WorkerRequest,
    options: RunOptions,
    unwrap: (answer: WorkerAnswer) => T | null,
    local: (id: number) => Promise<T>,
  ): Promise<T> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const worker = this.ensureWorker();
    if (!worker) return local(0);
    const id = this.nextId++;
    let answered = false;
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (event: MessageEvent<WorkerResponse>): void => {
        const message = event.data;
        if (message.id !== id) return;
        answered = true;
        this.everAnswered = true;
        if (message.type === 'progress') onProgress?.(message.progress);
        else {
          cleanup();
          if (message.type === 'error') {
            reject(new Error(message.message));
            return;
          }
          const value = unwrap(message);
          if (value === null) reject(new Error(`the CPU worker answered ${message.type}`));
          else resolve(value);
        }
      };
      const onError = (event: ErrorEvent): void => {
        cleanup();
        if (!answered && this.everAnswered === false) {
          // The worker never started (e.g. the page's CSP refused its script): run here instead.
          this.workerBlocked(event.message || 'the worker did not start');
          local(id).then(resolve, reject);
          return;
        }
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
      worker.postMessage(make(id));
    });
  }

  /** Whether any worker of this runner has ever answered (so it can start at all). */
  private everAnswered = false;

  /** The same job on the page's own thread, for pages that forbid the worker. */
  private async inPage<T>(options: RunOptions, job: () => Promise<T>): Promise<T> {
    if (options.signal?.aborted) throw options.signal.reason;
    // Let the page paint its progress bar before the synchronous pass starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return job();
  }

  /** Stops any run in progress and frees the worker. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const lane of this.lanes) lane.terminate();
    this.lanes = [];
  }
}

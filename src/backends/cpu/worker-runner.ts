/**
 * Runs CPU experiments in a Web Worker: from a spec, or from a problem built by hand. One run at a
 * time per runner; cancelling a run (through its AbortSignal) terminates the worker, and the next
 * run starts a fresh one.
 *
 * Failures: a worker that crashes (an uncaught error) or is terminated during a run rejects that
 * run, and every other request still waiting on it, with an error that says so; the next run
 * starts a fresh worker. A worker that never started (the page's Content-Security-Policy refused
 * it: no 'ready' message before its error) moves every run onto the page itself, and
 * `inPageReason` says why.
 *
 * The worker is a module worker loaded from its own same-origin file beside the library, so a
 * page's Content-Security-Policy needs only `worker-src 'self'` (and, where it enforces Trusted
 * Types, allows the policy of worker-script.ts).
 * Where workers are forbidden, runs happen on the page itself (the engine's code is then imported
 * on the page, once, only for that).
 */
import type { RunProgress } from '../../engine/backend.ts';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { Problem } from '../../engine/problem.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import type { TrainingChunk } from './training.ts';
import { browserThreadPlan, type ThreadPlan } from './thread-plan.ts';
import type { Roofline } from './roofline.ts';
import type {
  CpuBackendName,
  CpuFault,
  JacobianRequest,
  LaneSetup,
  RooflineRequest,
  RunRequest,
  TrainJob,
  TrainRequest,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.ts';
import { startModuleWorker } from '../worker-script.ts';
import cpuWorkerUrl from './cpu-worker.ts?worker&url';
import wholeWorkerUrl from './cpu-worker-whole.ts?worker&url';
import { workerFile } from './worker-file.ts';

type WorkerJobs = typeof import('./worker-jobs.ts');

/**
 * The CPU worker, from its own file (Vite bundles it; the library ships it beside its chunks), or
 * in one file where a consumer's bundler has moved it (worker-file.ts).
 */
function startCpuWorker(name: string): Worker {
  return startModuleWorker(workerFile(cpuWorkerUrl, wholeWorkerUrl), name);
}

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
  /** Untimed passes after a run's first (engine/experiment.ts ExperimentOptions.warmUpMs). */
  readonly warmUpMs?: number;
}

/** The part of a Web Worker the runner uses: a real Worker, or an in-process stand-in in tests. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message' | 'error', listener: (event: Event) => void): void;
  removeEventListener(type: 'message' | 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

export interface CpuWorkerRunnerOptions {
  /** Starts a worker running cpu-worker.ts (default: the inlined Vite worker). */
  readonly createWorker?: (name: string) => WorkerLike;
  /** How many threads (default: what this page allows, browserThreadPlan()). */
  readonly threadPlan?: ThreadPlan;
}

/** Faults the next runs should meet (tests and the page's test hooks; see CpuFault). */
export interface CpuFaults {
  /** Injected into the next run request (then cleared). */
  next: CpuFault | null;
}

/** A request waiting for its answer, so that a worker that dies can fail it. */
interface Pending {
  fail(error: Error): void;
}

export class CpuWorkerRunner {
  private worker: WorkerLike | null = null;
  /** Helper workers: the CPU backend's other threads (browser-lanes.ts). */
  private lanes: WorkerLike[] = [];
  private nextId = 1;
  /** Whether the current worker's script has loaded (it posted 'ready'). */
  private started = false;
  private readonly pending = new Map<number, Pending>();
  private readonly createWorker: (name: string) => WorkerLike;
  /** Set once a worker could not be started: then every run happens on the page. */
  inPageReason: string | null = null;
  /** How many threads the CPU backend uses on this page, and why. */
  readonly threadPlan: ThreadPlan;
  /** Faults to inject (tests only). */
  readonly faults: CpuFaults = { next: null };
  /** Workers started so far (tests check that a failed worker was replaced). */
  workersStarted = 0;

  constructor(options: CpuWorkerRunnerOptions = {}) {
    this.createWorker =
      options.createWorker ?? ((name) => startCpuWorker(name) as unknown as WorkerLike);
    this.threadPlan = options.threadPlan ?? browserThreadPlan();
  }

  /**
   * Starts the worker and its threads now, before the first request, so that their scripts,
   * WebAssembly kernels and threads load while the page is still rendering (the lab does this as
   * its shell loads). Does nothing where a worker is running or refused.
   */
  warm(): void {
    this.ensureWorker();
  }

  private ensureWorker(): WorkerLike | null {
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
  private startWorkers(): WorkerLike {
    const worker = this.createWorker('gradlab-cpu');
    this.workersStarted++;
    this.started = false;
    const onReady = (event: Event): void => {
      if ((event as MessageEvent<WorkerResponse>).data?.type !== 'ready') return;
      if (this.worker === worker) this.started = true;
      worker.removeEventListener('message', onReady);
    };
    worker.addEventListener('message', onReady);
    // A worker started before any request (warm) that fails to load has nobody waiting to see it
    // fail: runs move onto the page at once. With requests waiting, theirs handle it (request).
    worker.addEventListener('error', (event) => {
      if (this.worker === worker && !this.started && this.pending.size === 0)
        this.workerBlocked((event as ErrorEvent).message || 'unknown error');
    });
    const ports: MessagePort[] = [];
    for (let i = 1; i < this.threadPlan.threads; i++) {
      const lane = this.createWorker(`gradlab-cpu-lane-${i}`);
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
      `worker-src 'self' for it), so CPU runs happen on the page and may pause it`;
  }

  run(spec: RunSpec, options: RunOptions = {}): Promise<RunResult> {
    if (spec.backend === 'webgpu')
      return Promise.reject(new Error('CpuWorkerRunner runs cpu and cpu64 only'));
    const { threads, warmUpMs } = options;
    return this.runRequest((id) => ({ type: 'run', id, spec, threads, warmUpMs }), options);
  }

  /** Runs a problem built by hand; its arrays are copied to the worker, so it stays usable here. */
  runProblem(
    problem: Problem,
    backend: CpuBackendName,
    options: RunOptions = {},
  ): Promise<RunResult> {
    const { threads, warmUpMs } = options;
    return this.runRequest(
      (id) => ({ type: 'problem', id, problem, backend, threads, warmUpMs }),
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
      (id) => this.inPage(options, async (jobs) => jobs.executeJacobian(make(id))),
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
      (id) => this.inPage(options, async (jobs) => jobs.executeTrain(make(id), options)),
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
      (id) => this.inPage(options, async (jobs) => jobs.executeRoofline(make(id))),
    );
  }

  private runRequest(make: (id: number) => RunRequest, options: RunOptions): Promise<RunResult> {
    const fault = this.faults.next;
    this.faults.next = null;
    const withFault = (id: number): RunRequest => (fault ? { ...make(id), fault } : make(id));
    return this.request(
      withFault,
      options,
      (answer) => (answer.type === 'result' ? answer.result : null),
      (id) => this.inPage(options, (jobs) => jobs.executeRequest(make(id), options)),
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
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        this.pending.delete(id);
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (event: Event): void => {
        const message = (event as MessageEvent<WorkerResponse>).data;
        if (message.type === 'ready' || message.id !== id) return;
        if (message.type === 'progress') onProgress?.(message.progress);
        else if (message.type === 'fault-reached') {
          // An injected 'terminate' fault: the worker waits at its phase; stop it there.
          this.stopWorker(worker, 'it was terminated during the run (an injected fault)');
        } else {
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
      const onError = (event: Event): void => {
        const detail = (event as ErrorEvent).message || 'unknown error';
        if (!this.started) {
          // The worker never started (e.g. the page's CSP refused its script): run here instead.
          cleanup();
          this.workerBlocked(detail);
          local(id).then(resolve, reject);
          return;
        }
        this.stopWorker(worker, `it crashed (${detail})`);
      };
      const onAbort = (): void => {
        cleanup();
        this.stopWorker(worker, 'another run on it was cancelled');
        reject(signal?.reason ?? new DOMException('The run was cancelled', 'AbortError'));
      };
      this.pending.set(id, {
        fail: (error) => {
          cleanup();
          reject(error);
        },
      });
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(make(id));
    });
  }

  /**
   * Terminates `worker` (if it is still this runner's) and fails every request waiting on it,
   * saying why; the next request starts a fresh worker.
   */
  private stopWorker(worker: WorkerLike, why: string): void {
    if (this.worker !== worker) return;
    this.dispose(`the CPU worker stopped before it answered: ${why}; run again to use a new one`);
  }

  /**
   * The same job on the page's own thread, for pages that forbid the worker: the engine's code is
   * imported here, on first need, so pages whose worker runs never load it twice.
   */
  private async inPage<T>(options: RunOptions, job: (jobs: WorkerJobs) => Promise<T>): Promise<T> {
    if (options.signal?.aborted) throw options.signal.reason;
    const jobs = await import('./worker-jobs.ts');
    // Let the page paint its progress bar before the synchronous pass starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return job(jobs);
  }

  /** Requests waiting for the worker's answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Stops any run in progress and frees the worker: requests still waiting are rejected (with
   * `reason`, or a message saying the runner was disposed).
   */
  dispose(
    reason = 'the CPU worker was stopped (the runner was disposed) before it answered',
  ): void {
    this.worker?.terminate();
    this.worker = null;
    this.started = false;
    for (const lane of this.lanes) lane.terminate();
    this.lanes = [];
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const request of waiting) request.fail(new Error(reason));
  }
}

/**
 * Runs shared between figures. Figures are independent elements, but several often need the same
 * run: the depth sweep, the activation comparison and the attenuation chart all use sigmoid at
 * the lab's depth. A run asked for while an identical one executes joins it; a finished run is
 * kept (the most recent few dozen) and answered at once. A figure that cancels leaves the run to
 * the others; the run itself stops only when no figure wants it any more.
 */
import type { RunProgress } from '../../engine/backend.ts';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { Problem } from '../../engine/problem.ts';
import type { BackendName, RunSpec } from '../../engine/spec.ts';
import type { TrainingChunk } from '../../backends/cpu/training-state.ts';
import type { Roofline } from '../../backends/cpu/roofline.ts';
import type { TrainJob } from '../../backends/cpu/worker-protocol.ts';
import type { QueueOptions, RunExecutor, RunOutcome } from './run-queue.ts';

/** How many finished runs are kept for figures that ask again. */
export const KEPT_RESULTS = 48;

interface InFlight<T> {
  readonly promise: Promise<T>;
  readonly abort: AbortController;
  readonly progress: Set<(progress: RunProgress) => void>;
  waiters: number;
}

export class SharedRuns implements RunExecutor {
  private readonly kept = new Map<string, unknown>();
  private readonly inFlight = new Map<string, InFlight<unknown>>();

  constructor(private readonly executor: RunExecutor) {}

  /** Runs executing or waiting, each counted once however many figures want it. */
  get active(): number {
    return this.inFlight.size;
  }

  /**
   * Runs `spec`, shared with any identical run. `threads` and `warmUpMs` are part of what makes
   * runs identical; `fresh` asks for a run of its own (a timing taken anew), which is then kept
   * for the others.
   */
  run(spec: RunSpec, options: QueueOptions = {}): Promise<RunOutcome> {
    const { threads, warmUpMs } = options;
    const key = `run:${threads ?? ''}:${warmUpMs ?? ''}:${JSON.stringify(spec)}`;
    const start = (shared: QueueOptions) =>
      this.executor.run(spec, { ...shared, threads, warmUpMs });
    if (options.fresh) {
      this.kept.delete(key);
      return start(options).then((outcome) => {
        this.keep(key, outcome);
        return outcome;
      });
    }
    return this.shared(key, options, start);
  }

  jacobian(spec: RunSpec, options: QueueOptions = {}): Promise<JacobianSpectrum> {
    return this.shared(`jacobian:${JSON.stringify(spec)}`, options, (shared) =>
      this.executor.jacobian(spec, shared),
    );
  }

  /** A problem built by hand is one caller's own: it is queued, never shared or kept. */
  runProblem(
    problem: Problem,
    backend: BackendName,
    options: QueueOptions = {},
  ): Promise<RunOutcome> {
    return this.executor.runProblem(problem, backend, options);
  }

  /** The machine's SIMD peaks: measured once per page, then kept (like a finished run). */
  roofline(options: QueueOptions = {}): Promise<Roofline> {
    return this.shared('roofline', options, (shared) => this.executor.roofline(shared));
  }

  /** Training carries its own state forward: never shared or kept. */
  train(job: TrainJob, options: QueueOptions = {}): Promise<TrainingChunk> {
    return this.executor.train(job, options);
  }

  /** Forgets every kept result (tests; a page that wants fresh numbers). */
  clear(): void {
    this.kept.clear();
  }

  /** Keeps a finished run, the most recently finished last; forgets the oldest beyond the limit. */
  private keep(key: string, value: unknown): void {
    this.kept.delete(key);
    this.kept.set(key, value);
    while (this.kept.size > KEPT_RESULTS) this.kept.delete(this.kept.keys().next().value!);
  }

  private shared<T>(
    key: string,
    options: QueueOptions,
    start: (options: QueueOptions) => Promise<T>,
  ): Promise<T> {
    const { signal, onProgress, onQueued } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.kept.has(key)) {
      const value = this.kept.get(key) as T;
      // Most recently used last.
      this.kept.delete(key);
      this.kept.set(key, value);
      return Promise.resolve(value);
    }
    let entry = this.inFlight.get(key) as InFlight<T> | undefined;
    if (!entry) {
      const abort = new AbortController();
      const progress = new Set<(progress: RunProgress) => void>();
      const promise = start({
        signal: abort.signal,
        onQueued,
        onProgress: (p) => progress.forEach((listener) => listener(p)),
      });
      const created: InFlight<T> = { promise, abort, progress, waiters: 0 };
      entry = created;
      this.inFlight.set(key, created as InFlight<unknown>);
      promise.then(
        (value) => {
          if (this.inFlight.get(key) === created) this.inFlight.delete(key);
          if (!created.abort.signal.aborted) this.keep(key, value);
        },
        () => {
          if (this.inFlight.get(key) === created) this.inFlight.delete(key);
        },
      );
    } else onQueued?.(0);
    const joined = entry;
    joined.waiters++;
    if (onProgress) joined.progress.add(onProgress);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = (): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (onProgress) joined.progress.delete(onProgress);
        joined.waiters--;
      };
      const onAbort = (): void => {
        leave();
        // The last figure to leave stops the run; a run nobody wants is not kept.
        if (joined.waiters === 0) {
          joined.abort.abort(abortReason(signal!));
          if (this.inFlight.get(key) === joined) this.inFlight.delete(key);
        }
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          if (settled) return;
          leave();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          leave();
          reject(error);
        },
      );
    });
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The run was cancelled', 'AbortError');
}

/**
 * How a section runs its experiments: one task at a time per section, a task being any number of
 * runs through the page's shared queue. Starting a new task cancels the old one; a superseded or
 * cancelled task never writes its results. The controller tracks progress over all of a task's
 * runs, the error, and the CPU-fallback notice, and renders them with a Cancel button, so every
 * section shows runs the same way.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { RunResult } from '../../engine/results.ts';
import type { BackendName, RunSpec } from '../../engine/spec.ts';
import type { Problem } from '../../engine/problem.ts';
import type { TrainingChunk } from '../../backends/cpu/training-state.ts';
import type { TrainJob } from '../../backends/cpu/worker-protocol.ts';
import type { Roofline } from '../../backends/cpu/roofline.ts';
import { watchNear } from '../figure/near-viewport.ts';
import { nextTask } from '../figure/ready-queue.ts';
import type { QueueOptions, RunExecutor, RunOutcome, RunProgress } from './run-queue.ts';

export interface TaskContext {
  readonly signal: AbortSignal;
  /** Runs one spec through the shared queue; progress counts toward the task's total. */
  /**
   * Runs a spec; `threads` limits a cpu run to that many CPU threads (the benchmark's scaling);
   * `fresh` asks for a run of its own rather than a kept or shared one (timings); `warmUpMs`
   * adds untimed passes after its first run (engine/experiment.ts).
   */
  run(
    spec: RunSpec,
    options?: { readonly threads?: number; readonly fresh?: boolean; readonly warmUpMs?: number },
  ): Promise<RunResult>;
  /** Runs a problem built by hand (see ExperimentRunner.runProblem) through the same queue. */
  runProblem(problem: Problem, backend: BackendName): Promise<RunResult>;
  /**
   * The singular values of the spec's input–output Jacobian, through the same queue (in the CPU
   * worker, f64); counts as one run toward the task's total.
   */
  jacobian(spec: RunSpec): Promise<JacobianSpectrum>;
  /**
   * A chunk of training steps (backends/cpu/training.ts), through the same queue (in the CPU worker);
   * counts as one run toward the task's total.
   */
  train(job: TrainJob): Promise<TrainingChunk>;
  /**
   * The CPU backend's SIMD peaks, measured in the CPU worker once per page (cpu/roofline.ts),
   * through the same queue; counts as one run toward the task's total.
   */
  roofline(): Promise<Roofline>;
  /** How many runs the task will make (for the progress bar); defaults to the runs so far. */
  setTotal(runs: number): void;
  /**
   * Waits while the element is far from the viewport (run, jacobian and train already do this
   * before each job); rejects if the task is cancelled meanwhile.
   */
  pauseWhileFar(): Promise<void>;
}

export class RunController implements ReactiveController {
  running = false;
  /** Completed fraction of the current task, 0–1. */
  fraction = 0;
  label = '';
  error: string | null = null;
  /** Why webgpu runs fell back to the CPU, when they did. */
  fallback: string | null = null;

  /** True while a task waits for its element to come near the viewport. */
  waiting = false;
  /** True while a started task waits, between runs, for its element to come back near. */
  paused = false;

  private abort: AbortController | null = null;
  private stopWatching: (() => void) | null = null;
  /** Whether the element is within about two viewport heights of being seen (near-viewport.ts). */
  private near = false;
  private readonly nearWaiters = new Set<() => void>();

  constructor(
    private readonly host: ReactiveControllerHost & Element,
    private readonly options: {
      /**
       * Start tasks only once the element is near the viewport, and pause between runs while it
       * is far away (the default; false runs at once, wherever the element is).
       */
      readonly lazy?: boolean;
      readonly executor?: () => RunExecutor;
    } = {},
  ) {
    host.addController(this);
  }

  /**
   * The executor runs go to: the page's shared queue unless one was given. The queue, the worker
   * runner and the backends are imported on the first run, so a figure that never runs anything
   * (an activation plot) never loads them.
   */
  private async executor(): Promise<RunExecutor> {
    if (this.options.executor) return this.options.executor();
    const { labRunner } = await import('./run-queue.ts');
    return labRunner();
  }

  hostConnected(): void {
    // Everything waits to be near the reader, in the lab as in a blog: a section or figure far
    // down the page starts its work when the reader approaches (`lazy: false` opts out).
    if (this.options.lazy === false) {
      this.near = true;
      return;
    }
    this.stopWatching = watchNear(this.host, (near) => {
      this.near = near;
      if (!near) return;
      for (const wake of [...this.nearWaiters]) wake();
    });
  }

  hostDisconnected(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    this.near = false;
    this.cancel(false);
  }

  private progressTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Redraws the progress at most ten times a second: a run reports every layer, and redrawing
   * the figure for each report would keep the page busy for nothing.
   */
  private progressUpdate(): void {
    if (this.progressTimer !== null) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.host.requestUpdate();
    }, 100);
  }

  /** Resolves true once the element is near (at once if it is), false if the task is aborted. */
  private whenNear(abort: AbortSignal): Promise<boolean> {
    if (this.near) return Promise.resolve(true);
    if (abort.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => {
        this.nearWaiters.delete(wake);
        abort.removeEventListener('abort', stop);
        resolve(true);
      };
      const stop = (): void => {
        this.nearWaiters.delete(wake);
        resolve(false);
      };
      this.nearWaiters.add(wake);
      abort.addEventListener('abort', stop, { once: true });
    });
  }

  /**
   * Waits, between two runs of a task, while the element is far from the viewport: long work
   * (sweeps, training) stops off screen and resumes where it left off when the reader returns.
   */
  private async pauseWhileFar(abort: AbortSignal): Promise<void> {
    if (this.near) return;
    this.paused = true;
    this.host.requestUpdate();
    const near = await this.whenNear(abort);
    this.paused = false;
    if (!near) throw abortReason(abort);
    this.host.requestUpdate();
  }

  /**
   * Starts a task, cancelling the one in progress. Resolves to the task's value, or undefined if
   * it was cancelled, superseded or failed (the error is then shown by render()).
   */
  async start<T>(task: (context: TaskContext) => Promise<T>): Promise<T | undefined> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.running = true;
    this.fraction = 0;
    this.label = 'starting…';
    this.error = null;
    this.fallback = null;
    this.host.requestUpdate();
    let total = 0;
    let done = 0;
    const current = () => this.abort === abort;
    if (!this.near) {
      this.waiting = true;
      this.host.requestUpdate();
      const shown = await this.whenNear(abort.signal);
      if (current()) this.waiting = false;
      if (!shown || !current()) return undefined;
      this.host.requestUpdate();
    }
    const executor = await this.executor();
    // The task's first steps run in a task of their own, apart from what the first run of the page
    // costs (the run queue's module, the CPU worker's start) and from the figure's own update.
    await nextTask();
    if (!current()) return undefined;
    const context: TaskContext = {
      signal: abort.signal,
      setTotal: (runs) => {
        total = runs;
      },
      run: (spec, extra) => execute((options) => executor.run(spec, { ...options, ...extra })),
      runProblem: (problem, backend) =>
        execute((options) => executor.runProblem(problem, backend, options)),
      pauseWhileFar: () => this.pauseWhileFar(abort.signal),
      jacobian: (spec) =>
        other('Jacobian spectrum', (signal) => executor.jacobian(spec, { signal })),
      train: (job) =>
        other(`training ${job.steps} step${job.steps === 1 ? '' : 's'}`, (signal) =>
          executor.train(job, { signal }),
        ),
      roofline: () => other('the CPU’s SIMD peak', (signal) => executor.roofline({ signal })),
    };
    /** A job without per-layer progress: labelled while it runs, counted when it is done. */
    const other = async <T>(
      what: string,
      start: (signal: AbortSignal) => Promise<T>,
    ): Promise<T> => {
      await this.pauseWhileFar(abort.signal);
      if (current()) {
        this.label = `run ${done + 1}${total ? ` of ${total}` : ''}: ${what}`;
        this.host.requestUpdate();
      }
      const value = await start(abort.signal);
      done++;
      if (current()) {
        this.fraction = done / Math.max(total, done);
        this.host.requestUpdate();
      }
      return value;
    };
    const execute = async (
      start: (options: QueueOptions) => Promise<RunOutcome>,
    ): Promise<RunResult> => {
      await this.pauseWhileFar(abort.signal);
      const index = done;
      const outcome = await start({
        signal: abort.signal,
        onProgress: (p) => {
          if (!current()) return;
          this.fraction = (index + runFraction(p)) / Math.max(total, index + 1);
          this.label = `run ${index + 1}${total ? ` of ${total}` : ''}: ${PHASE_LABEL[p.phase]} ${p.done}/${p.total}`;
          this.progressUpdate();
        },
      });
      if (outcome.fallback && current()) this.fallback = outcome.fallback;
      done++;
      if (current()) {
        this.fraction = done / Math.max(total, done);
        this.host.requestUpdate();
      }
      return outcome.result;
    };
    try {
      const value = await task(context);
      if (!current()) return undefined;
      // Every section announces its results the same way (embedders listen for this); a task
      // that ends with nothing to announce (training handed to another figure) stays quiet.
      if (value === undefined) return value;
      this.host.dispatchEvent(
        new CustomEvent('grad-run-complete', { detail: value, bubbles: true, composed: true }),
      );
      return value;
    } catch (error) {
      if (current() && !abort.signal.aborted) {
        this.error = error instanceof Error ? error.message : String(error);
      }
      return undefined;
    } finally {
      if (current()) {
        this.running = false;
        this.abort = null;
        this.host.requestUpdate();
      }
    }
  }

  /** Stops the task in progress; `report` leaves a "cancelled" note. */
  cancel(report = true): void {
    const abort = this.abort;
    if (!abort) return;
    this.abort = null;
    this.running = false;
    this.waiting = false;
    this.paused = false;
    abort.abort();
    if (report) this.error = 'Run cancelled.';
    this.host.requestUpdate();
  }

  /**
   * Progress with a Cancel button while running (a fixed figure, `cancel: false`, shows the
   * progress alone); the error and fallback notices otherwise.
   */
  render({ cancel = true }: { readonly cancel?: boolean } = {}): unknown {
    if (this.waiting) {
      return html`<div class="run-status" part="run-status">
        <span class="status" data-testid="waiting">Runs when scrolled into view.</span>
      </div>`;
    }
    return html`<div class="run-status" part="run-status">
      ${
        this.running
          ? html`<progress max="1" .value=${this.fraction} aria-label="run progress"></progress>
              <span class="status" role="status"
                >${this.paused ? 'paused while off screen' : this.label}</span
              >
              ${
                cancel
                  ? html`<button type="button" @click=${() => this.cancel()}>Cancel</button>`
                  : nothing
              }`
          : nothing
      }
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.fallback
          ? html`<p class="error" role="status" data-testid="fallback">${this.fallback}</p>`
          : nothing
      }
    </div>`;
  }
}

/** What a run's progress says it is doing. */
const PHASE_LABEL: Record<RunProgress['phase'], string> = {
  prepare: 'weights',
  forward: 'forward',
  backward: 'backward',
};

/**
 * How far one run is, from 0 to 1: its weights, its forward pass and its backward pass as three
 * equal parts (a run that draws no weights here, on the GPU, starts at a third).
 */
export function runFraction(progress: RunProgress): number {
  const before = { prepare: 0, forward: 1, backward: 2 }[progress.phase];
  return (before + progress.done / Math.max(1, progress.total)) / 3;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The run was cancelled', 'AbortError');
}

declare global {
  interface HTMLElementEventMap {
    /** A section's runs finished; `detail` holds what it drew (RunResult for <grad-run>). */
    'grad-run-complete': CustomEvent<unknown>;
    /** A section's reader changed settings: URL-style entries (`{ depths: '3,10' }`). */
    'grad-state-change': CustomEvent<Record<string, string>>;
  }
}

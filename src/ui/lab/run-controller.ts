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
import type { TrainingChunk } from '../../backends/cpu/training.ts';
import type { TrainJob } from '../../backends/cpu/worker-protocol.ts';
import { insideLab } from './inside-lab.ts';
import { labRunner, type QueueOptions, type RunExecutor, type RunOutcome } from './run-queue.ts';

export interface TaskContext {
  readonly signal: AbortSignal;
  /** Runs one spec through the shared queue; progress counts toward the task's total. */
  /** Runs a spec; `threads` limits a cpu run to that many CPU threads (the benchmark's scaling). */
  run(spec: RunSpec, options?: { readonly threads?: number }): Promise<RunResult>;
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
  /** How many runs the task will make (for the progress bar); defaults to the runs so far. */
  setTotal(runs: number): void;
}

export class RunController implements ReactiveController {
  running = false;
  /** Completed fraction of the current task, 0–1. */
  fraction = 0;
  label = '';
  error: string | null = null;
  /** Why webgpu runs fell back to the CPU, when they did. */
  fallback: string | null = null;

  /** True while a lazy task waits for its element to scroll into view. */
  waiting = false;

  private abort: AbortController | null = null;
  private observer: IntersectionObserver | null = null;
  private visible = false;
  private onVisible: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & Element,
    private readonly options: {
      /** Start tasks only once the element is (nearly) on screen (always so outside the lab). */
      readonly lazy?: boolean;
      readonly executor?: () => RunExecutor;
    } = {},
  ) {
    host.addController(this);
  }

  private get executor(): () => RunExecutor {
    return this.options.executor ?? labRunner;
  }

  hostConnected(): void {
    // Widgets on their own in a page always wait to be seen; inside the lab, only lazy sections.
    const lazy = this.options.lazy || !insideLab(this.host);
    if (!lazy || typeof IntersectionObserver === 'undefined') {
      this.visible = true;
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        this.visible = true;
        this.observer?.disconnect();
        this.observer = null;
        this.onVisible?.();
      },
      { rootMargin: '200px 0px' },
    );
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.cancel(false);
  }

  /** Resolves once the element has been on screen (at once for eager controllers). */
  private whenVisible(abort: AbortSignal): Promise<boolean> {
    if (this.visible) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.onVisible = () => resolve(true);
      abort.addEventListener('abort', () => resolve(false), { once: true });
    });
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
    if (!this.visible) {
      this.waiting = true;
      this.host.requestUpdate();
      const shown = await this.whenVisible(abort.signal);
      if (current()) this.waiting = false;
      if (!shown || !current()) return undefined;
      this.host.requestUpdate();
    }
    const context: TaskContext = {
      signal: abort.signal,
      setTotal: (runs) => {
        total = runs;
      },
      run: (spec, extra) =>
        execute((options) => this.executor().run(spec, { ...options, ...extra })),
      runProblem: (problem, backend) =>
        execute((options) => this.executor().runProblem(problem, backend, options)),
      jacobian: (spec) =>
        other('Jacobian spectrum', (signal) => this.executor().jacobian(spec, { signal })),
      train: (job) =>
        other(`training ${job.steps} step${job.steps === 1 ? '' : 's'}`, (signal) =>
          this.executor().train(job, { signal }),
        ),
    };
    /** A job without per-layer progress: labelled while it runs, counted when it is done. */
    const other = async <T>(
      what: string,
      start: (signal: AbortSignal) => Promise<T>,
    ): Promise<T> => {
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
      const index = done;
      const outcome = await start({
        signal: abort.signal,
        onProgress: (p) => {
          if (!current()) return;
          const runFraction = (p.phase === 'forward' ? p.done : p.total + p.done) / (2 * p.total);
          this.fraction = (index + runFraction) / Math.max(total, index + 1);
          this.label = `run ${index + 1}${total ? ` of ${total}` : ''}: ${p.phase} ${p.done}/${p.total}`;
          this.host.requestUpdate();
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
      // Every section announces its results the same way (embedders listen for this).
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
    abort.abort();
    if (report) this.error = 'Run cancelled.';
    this.host.requestUpdate();
  }

  /** Progress with a Cancel button while running; the error and fallback notices otherwise. */
  render(): unknown {
    if (this.waiting) {
      return html`<div class="run-status" part="run-status">
        <span class="status" data-testid="waiting">Runs when scrolled into view.</span>
      </div>`;
    }
    return html`<div class="run-status" part="run-status">
      ${
        this.running
          ? html`<progress max="1" .value=${this.fraction} aria-label="run progress"></progress>
              <span class="status" role="status">${this.label}</span>
              <button type="button" @click=${() => this.cancel()}>Cancel</button>`
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

declare global {
  interface HTMLElementEventMap {
    /** A section's runs finished; `detail` holds what it drew (RunResult for <grad-run>). */
    'grad-run-complete': CustomEvent<unknown>;
    /** A section's reader changed settings: URL-style entries (`{ depths: '3,10' }`). */
    'grad-state-change': CustomEvent<Record<string, string>>;
  }
}

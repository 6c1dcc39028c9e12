/**
 * What the benchmark's figures share (grad-timings-table, grad-kernel-times, grad-kernel-table,
 * grad-thread-scaling): the lab's spec from their attributes, the workload's timed runs
 * (`timed-runs`), and one benchmark per spec, shared between them as a session
 * (grad-benchmark/benchmark-session.ts). Benchmarks are heavy: a figure runs one only when the
 * reader asks (the timings table's compact controls), or, on its own in a page with
 * `controls="none"`, when it comes near the viewport.
 */
import { css, html } from 'lit';
import { loadSpecForm } from '../grad-spec-form/load.ts';
import type { RunSpec } from '../../engine/spec.ts';
import { integerOption, type OptionRule } from '../figure/figure-options.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import { LAB_STATE_READER, type LabState } from '../lab/lab-state.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import {
  DEFAULT_TIMED_RUNS,
  MAX_TIMED_RUNS,
  MIN_TIMED_RUNS,
  cpuPeaks,
  summarize,
  type BackendSummary,
} from '../grad-benchmark/benchmark-data.ts';
import {
  benchmarkKey,
  benchmarkSpecs,
  BENCHMARK_SESSIONS,
  EMPTY_BENCHMARK,
  runBenchmark,
  type BenchmarkSession,
} from '../grad-benchmark/benchmark-session.ts';
import { SessionFigure } from './session-figure.ts';
import type { SessionHandle, SessionStore } from './shared-session.ts';

/** Timed runs per backend: the steady state is the median of the runs after the first. */
export const TIMED_RUNS_OPTION = integerOption(
  'timed-runs',
  MIN_TIMED_RUNS,
  MAX_TIMED_RUNS,
  DEFAULT_TIMED_RUNS,
);

export const benchmarkFigureStyles = css`
  input[type='number'] {
    width: 6rem;
    max-width: 100%;
  }
  input[type='text'] {
    width: 16rem;
    max-width: 100%;
  }
  input[aria-invalid='true'] {
    border-color: var(--grad-error, #b00020);
  }
  .notice {
    display: inline-block;
    padding: 0.1rem 0.4rem;
    border-radius: 3px;
    background: var(--grad-warn-bg, rgba(191, 135, 0, 0.15));
    font-weight: 600;
  }
  p.notice {
    display: block;
  }
  td,
  th {
    white-space: nowrap;
  }
  td.missing {
    color: var(--grad-muted, #6e7781);
  }
  td.nonfinite {
    color: var(--grad-error, #b00020);
  }
  dl.environment {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.2rem 0.75rem;
    font-size: 0.85rem;
    margin: 0.5rem 0;
  }
  dl.environment dt {
    font-weight: 600;
  }
  dl.environment dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  ol.legend {
    font-size: 0.85rem;
    margin: 0.25rem 0;
    padding-left: 1.5rem;
  }
`;

/** A table cell for a measured value: muted where there is none, flagged where non-finite. */
export function measuredCell(text: string, value: number): unknown {
  return Number.isFinite(value)
    ? html`<td>${text}</td>`
    : html`<td class=${Number.isNaN(value) ? 'missing' : 'nonfinite'}>${text}</td>`;
}

export abstract class BenchmarkFigure extends SessionFigure<LabState, BenchmarkSession> {
  static override styles = [GradFigure.styles, benchmarkFigureStyles];
  static override stateReader = LAB_STATE_READER;
  static override optionRules: readonly OptionRule<unknown>[] = [TIMED_RUNS_OPTION];

  /** The workload the next run times, where the reader chose one (else the attributes'). */
  protected chosenWorkload: readonly RunSpec[] | null = null;

  protected override sessionStore(): SessionStore<BenchmarkSession> {
    return BENCHMARK_SESSIONS;
  }

  protected override sessionKey(): string {
    return benchmarkKey(this.state.spec);
  }

  protected override initialValue(): BenchmarkSession {
    return EMPTY_BENCHMARK;
  }

  /** Benchmarks are heavy: only a figure alone and fixed (`controls="none"`) starts one itself. */
  protected override autoDrive(): boolean {
    return !this.managed && this.controls === 'none';
  }

  /** The workload from the attributes: the lab's sizes, timed `timed-runs` times per backend. */
  protected workload(): RunSpec[] {
    const { spec } = this.state;
    return benchmarkSpecs(spec, {
      depth: spec.depth,
      width: spec.width,
      batch: spec.batch,
      repeat: this.option(TIMED_RUNS_OPTION),
    });
  }

  protected override compute(
    context: TaskContext,
    handle: SessionHandle<BenchmarkSession>,
  ): Promise<BenchmarkSession> {
    const specs = this.chosenWorkload ?? this.workload();
    this.chosenWorkload = null;
    return runBenchmark(context, handle, specs, () => this.driver.runs.fallback);
  }

  /** What has been measured so far. */
  protected get benchmark(): BenchmarkSession {
    return this.session?.value ?? EMPTY_BENCHMARK;
  }

  /** The summary rows of the benchmark on show. */
  get summaries(): BackendSummary[] {
    const { backendRuns, roofline } = this.benchmark;
    return summarize(backendRuns, cpuPeaks(backendRuns, roofline?.peakGflops));
  }

  protected override renderSettings(): unknown {
    void loadSpecForm();
    return html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>`;
  }
}

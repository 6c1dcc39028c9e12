import { html, nothing, type PropertyValues } from 'lit';
import { loadSpecForm } from '../../grad-spec-form/load.ts';
import { SIZE_LIMITS, SpecError, type BackendName, type RunSpec } from '../../../engine/spec.ts';
import { choiceListOption, integerOption, type OptionRule } from '../../figure/figure-options.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import { LAB_STATE_READER, type LabState } from '../../lab/lab-state.ts';
import type { TaskContext } from '../../lab/run-controller.ts';
import {
  BENCHMARK_BACKENDS,
  DEFAULT_SWEEP_DEPTHS,
  DEFAULT_SWEEP_FIXED_DEPTH,
  DEFAULT_SWEEP_FIXED_WIDTH,
  DEFAULT_SWEEP_WIDTHS,
  parseSizeList,
  planSweep,
  sweepChart,
  sweepGrid,
  SWEEP_TIMED_RUNS,
  type SweepPlan,
} from '../../grad-benchmark/benchmark-data.ts';
import {
  EMPTY_SWEEP,
  runSizeSweep,
  sweepKey,
  SWEEP_SESSIONS,
  type SweepSession,
} from '../../grad-benchmark/benchmark-session.ts';
import { benchmarkFigureStyles } from '../benchmark-figure.ts';
import { SessionFigure } from '../session-figure.ts';
import { type SessionHandle, type SessionStore } from '../shared-session.ts';

/** A list of sizes, as parseSizeList reads it (sorted, without repeats). */
function sizeListOption(
  attribute: string,
  min: number,
  max: number,
  fallback: readonly number[],
): OptionRule<readonly number[]> {
  return {
    attribute,
    fallback,
    allowed: `a comma-separated list of 1 to 12 integers from ${min} to ${max}`,
    parse: (raw) => {
      try {
        return parseSizeList(raw, attribute, min, max);
      } catch {
        return undefined;
      }
    },
    format: (value) => value.join(','),
  };
}

const { depth: DEPTH, width: WIDTH } = SIZE_LIMITS;
const WIDTHS = sizeListOption('widths', WIDTH.min, WIDTH.max, DEFAULT_SWEEP_WIDTHS);
const SWEEP_DEPTHS = sizeListOption('sweep-depths', DEPTH.min, DEPTH.max, DEFAULT_SWEEP_DEPTHS);
const AT_DEPTH = integerOption('at-depth', DEPTH.min, DEPTH.max, DEFAULT_SWEEP_FIXED_DEPTH);
const AT_WIDTH = integerOption('at-width', WIDTH.min, WIDTH.max, DEFAULT_SWEEP_FIXED_WIDTH);
const BACKENDS = choiceListOption('backends', BENCHMARK_BACKENDS, BENCHMARK_BACKENDS);

/** The CPU time above which a sweep asks for a second click (and never starts by itself). */
const SWEEP_WARN_SECONDS = 30;

type SweepDraft = { widths: string; depths: string; fixedDepth: string; fixedWidth: string };

/** A sweep ready to run: its base spec, plan and backends. */
interface PlannedSweep {
  readonly base: RunSpec;
  readonly plan: SweepPlan;
  readonly backends: readonly BackendName[];
}

/**
 * Time against work on log-log axes: each backend's steady state (median of runs
 * 2–SWEEP_TIMED_RUNS) for `widths` at depth `at-depth` and depths `sweep-depths` at width
 * `at-width`, with the lab's batch and other settings, one line per backend of `backends`. Once a
 * backend is compute bound its points lie on a line of slope 1. A point a CPU backend cannot hold
 * in memory is skipped, and every skipped or failed point is listed. The largest sizes take long
 * on the CPU and on a software adapter: with compact controls the reader edits the lists and a
 * sweep estimated over 30 s of CPU time asks before it runs; alone with `controls="none"` a sweep
 * under that runs when it comes near the viewport.
 *
 * @summary Steady-state time against work for widths and depths, per backend.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @cssproperty --grad-warn-bg - Background of the cost warning.
 * @tagname grad-size-sweep
 */
export class GradSizeSweep extends SessionFigure<LabState, SweepSession> {
  static override styles = [GradFigure.styles, benchmarkFigureStyles];
  static override stateReader = LAB_STATE_READER;
  static override optionRules: readonly OptionRule<unknown>[] = [
    WIDTHS,
    SWEEP_DEPTHS,
    AT_DEPTH,
    AT_WIDTH,
    BACKENDS,
  ];
  static override properties = {
    ...GradFigure.properties,
    draft: { state: true },
    draftBackends: { state: true },
    draftError: { state: true },
    confirm: { state: true },
  };

  declare draft: SweepDraft;
  declare draftBackends: ReadonlySet<BackendName>;
  declare draftError: SpecError | null;
  /** A sweep over the time warning, waiting for a second click. */
  declare confirm: PlannedSweep | null;

  /** The sweep the reader ran from the typed lists, for the settings it was typed under. */
  private typed: { readonly for: string; readonly sweep: PlannedSweep } | null = null;
  private draftFor = '';

  constructor() {
    super();
    this.draft = { widths: '', depths: '', fixedDepth: '', fixedWidth: '' };
    this.draftBackends = new Set(BENCHMARK_BACKENDS);
    this.draftError = null;
    this.confirm = null;
  }

  /** What the options and the lab's spec ask for. */
  private optionSettings(): string {
    return JSON.stringify([
      this.state.spec,
      this.option(WIDTHS),
      this.option(SWEEP_DEPTHS),
      this.option(AT_DEPTH),
      this.option(AT_WIDTH),
      this.option(BACKENDS),
    ]);
  }

  /** The sweep on show: the one the reader typed and ran, else the attributes'. */
  private sweep(): PlannedSweep {
    if (this.typed?.for === this.optionSettings()) return this.typed.sweep;
    return this.planned(
      this.option(WIDTHS),
      this.option(SWEEP_DEPTHS),
      this.option(AT_DEPTH),
      this.option(AT_WIDTH),
      this.option(BACKENDS),
    );
  }

  private planned(
    widths: readonly number[],
    depths: readonly number[],
    fixedDepth: number,
    fixedWidth: number,
    backends: readonly BackendName[],
  ): PlannedSweep {
    // The lab's batch and other settings; each point sets width, depth and backend.
    const base: RunSpec = { ...this.state.spec, backend: 'cpu', repeat: SWEEP_TIMED_RUNS };
    const points = sweepGrid(widths, depths, fixedDepth, fixedWidth);
    return { base, plan: planSweep(base, points, backends), backends };
  }

  protected override sessionStore(): SessionStore<SweepSession> {
    return SWEEP_SESSIONS;
  }

  protected override sessionKey(): string {
    const { base, plan, backends } = this.sweep();
    return sweepKey(base, plan, backends);
  }

  protected override initialValue(): SweepSession {
    return EMPTY_SWEEP;
  }

  /** Alone and fixed, it runs a sweep by itself, unless the sweep is estimated to take long. */
  protected override autoDrive(): boolean {
    return (
      !this.managed &&
      this.controls === 'none' &&
      this.sweep().plan.cpuSeconds <= SWEEP_WARN_SECONDS
    );
  }

  protected override compute(
    context: TaskContext,
    handle: SessionHandle<SweepSession>,
  ): Promise<SweepSession> {
    const { base, plan, backends } = this.sweep();
    return runSizeSweep(context, handle, base, plan, backends);
  }

  /** The data behind the chart. */
  get sweepChartData() {
    return sweepChart(this.session?.value.measurements ?? []);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const settings = this.optionSettings();
    if (settings !== this.draftFor) {
      this.draftFor = settings;
      this.draft = {
        widths: this.option(WIDTHS).join(', '),
        depths: this.option(SWEEP_DEPTHS).join(', '),
        fixedDepth: String(this.option(AT_DEPTH)),
        fixedWidth: String(this.option(AT_WIDTH)),
      };
      this.draftBackends = new Set(this.option(BACKENDS));
      this.draftError = null;
      this.confirm = null;
    }
    super.willUpdate(changed);
  }

  /** The sweep from the typed lists; a SpecError names the bad field. */
  private plannedFromDraft(): PlannedSweep {
    const widths = parseSizeList(this.draft.widths, 'sweep widths', WIDTH.min, WIDTH.max);
    const depths = parseSizeList(this.draft.depths, 'sweep depths', DEPTH.min, DEPTH.max);
    const [fixedDepth] = parseSizeList(
      this.draft.fixedDepth,
      'depth of the width sweep',
      DEPTH.min,
      DEPTH.max,
    );
    const [fixedWidth] = parseSizeList(
      this.draft.fixedWidth,
      'width of the depth sweep',
      WIDTH.min,
      WIDTH.max,
    );
    const backends = BENCHMARK_BACKENDS.filter((backend) => this.draftBackends.has(backend));
    if (backends.length === 0)
      throw new SpecError('sweep backends', 'choose at least one of webgpu, cpu and cpu64');
    return this.planned(widths, depths, fixedDepth!, fixedWidth!, backends);
  }

  private async runTyped(confirmed: boolean): Promise<void> {
    let sweep: PlannedSweep;
    try {
      sweep = this.plannedFromDraft();
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.draftError = error;
      return;
    }
    if (!confirmed && sweep.plan.cpuSeconds > SWEEP_WARN_SECONDS) {
      this.confirm = sweep;
      return;
    }
    this.confirm = null;
    this.typed = { for: this.optionSettings(), sweep };
    this.requestUpdate();
    // New measurements, not the page's last ones of the same runs.
    await this.runSession(this.sessionKey(), true);
  }

  private onDraft(field: keyof SweepDraft, event: Event): void {
    this.draft = { ...this.draft, [field]: (event.target as HTMLInputElement).value };
    this.draftError = null;
    this.confirm = null;
  }

  private onDraftBackend(backend: BackendName, event: Event): void {
    const next = new Set(this.draftBackends);
    if ((event.target as HTMLInputElement).checked) next.add(backend);
    else next.delete(backend);
    this.draftBackends = next;
    this.confirm = null;
  }

  protected override renderSettings(): unknown {
    void loadSpecForm();
    return html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>`;
  }

  protected override renderControls(): unknown {
    const running = this.driver.runs.running || this.session?.status === 'running';
    const text = (field: keyof SweepDraft, label: string, errorField: string) =>
      html`<label
        >${label}
        <input
          type="text"
          inputmode="numeric"
          .value=${this.draft[field]}
          aria-invalid=${this.draftError?.field === errorField ? 'true' : 'false'}
          ?disabled=${running}
          @input=${(event: Event) => this.onDraft(field, event)}
      /></label>`;
    const confirm = this.confirm;
    return html`<div class="controls">
        ${text('widths', 'widths', 'sweep widths')}
        ${text('fixedDepth', 'at depth', 'depth of the width sweep')}
        ${text('depths', 'depths', 'sweep depths')}
        ${text('fixedWidth', 'at width', 'width of the depth sweep')}
        <fieldset>
          <legend>backends</legend>
          ${BENCHMARK_BACKENDS.map(
            (backend) =>
              html`<label class="inline"
                ><input
                  type="checkbox"
                  .checked=${this.draftBackends.has(backend)}
                  ?disabled=${running}
                  @change=${(event: Event) => this.onDraftBackend(backend, event)}
                />${backend}</label
              >`,
          )}
        </fieldset>
        <button type="button" ?disabled=${running} @click=${() => void this.runTyped(false)}>
          Run size sweep
        </button>
      </div>
      ${
        this.draftError
          ? html`<p class="error" role="alert">
              ${this.draftError.field}: ${this.draftError.detail}
            </p>`
          : nothing
      }
      ${
        confirm
          ? html`<p class="notice" role="alert" data-testid="sweep-warning">
              This sweep's CPU runs may take about ${Math.round(confirm.plan.cpuSeconds)} s (a rough
              estimate; the largest point is ${(confirm.plan.largestFlops / 1e9).toPrecision(3)}
              GFLOP per pass).
              <button type="button" @click=${() => void this.runTyped(true)}>Run anyway</button>
            </p>`
          : nothing
      }`;
  }

  protected override defaultCaption(): string {
    return 'Steady-state time against work';
  }

  protected override renderFigure(): unknown {
    const failures = this.session?.value.failures ?? [];
    const { plan } = this.sweep();
    const tooLong =
      !this.managed &&
      this.controls === 'none' &&
      !this.session &&
      plan.cpuSeconds > SWEEP_WARN_SECONDS;
    return html`${
      tooLong
        ? html`<p class="status" role="status" data-testid="sweep-not-started">
            Not run by itself: its CPU runs may take about ${Math.round(plan.cpuSeconds)} s (over
            ${SWEEP_WARN_SECONDS} s); give smaller widths or depths.
          </p>`
        : nothing
    }${this.chart({
      name: 'sweep',
      exportName: 'benchmark-sweep',
      data: this.sweepChartData,
      xLabel: 'GFLOP per pass (matrix products)',
      yLabel: 'ms',
      logX: true,
      logY: true,
    })}${
      failures.length
        ? html`<ul class="status" data-testid="sweep-failures">
            ${failures.map((failure) => html`<li>${failure}</li>`)}
          </ul>`
        : nothing
    }`;
  }
}

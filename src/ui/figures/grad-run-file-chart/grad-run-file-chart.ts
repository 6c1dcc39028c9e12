import { html, nothing, type PropertyValues } from 'lit';
import type { ImportedRun } from '../../../import/run-data.ts';
import { describeProblem, LAYER_METRIC_LABELS } from '../../../import/run-format.ts';
import { meanFieldComparison, type MeanFieldResult } from '../../../import/run-theory.ts';
import { choiceOption, type OptionRule } from '../../figure/figure-options.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import { RUN_FILE_STATE_READER, type RunFileState } from '../run-file-state.ts';
import { sameOriginUrl, watchRunFile, type RunFileLoad } from '../run-file-store.ts';
import {
  metricAttribute,
  metricOf,
  RUN_FILE_METRIC_NAMES,
  RUN_FILE_VIEWS,
  recordOfStep,
  runFileChart,
  type RunFileChart,
  type RunFileView,
} from './run-file-chart-data.ts';

const VIEW = choiceOption('view', RUN_FILE_VIEWS, 'depth');
const METRIC = choiceOption('metric', RUN_FILE_METRIC_NAMES, 'grad-norm');

/** `src`: a run file's URL on the page's own origin; null (no attribute) when a parent hands `.run`. */
const SRC: OptionRule<string | null> = {
  attribute: 'src',
  fallback: null,
  allowed:
    'the URL of a gradlab run file on this page’s own origin (python/gradlab_record.py writes one); files on other origins are not fetched',
  parse: (raw) => (sameOriginUrl(raw) === null ? undefined : raw.trim()),
  format: (value) => value ?? '',
};

const VIEW_LABELS: Readonly<Record<RunFileView, string>> = {
  depth: '‖δ‖ through depth',
  heatmap: 'layers × steps',
  histograms: 'histograms',
  fractions: 'dead and saturated',
  loss: 'loss',
};

/** Bytes as "1.2 MB". */
function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/**
 * A chart of a run recorded from a PyTorch model (python/gradlab_record.py, docs/run-format.md),
 * as the lab draws its own runs. `view` picks the chart: `depth`, ‖δ⁽ˡ⁾‖ through depth at a few
 * recorded steps with the mean-field prediction dashed over the measured decay where the model is
 * a plain stack of Linear layers with one activation (the phase named in the caption); `heatmap`,
 * one statistic (`metric`) per layer and recorded step; `histograms`, every layer's activations
 * at one step with mean ± std; `fractions`, dead units and saturated pairs per layer at one step;
 * `loss`, the loss per recorded step. `step` picks the step of histograms and fractions (the
 * nearest recorded one; default the first), `steps` those of the depth view (default four
 * spread from first to last).
 *
 * On its own it fetches `src`, a run file on the page's own origin (another origin is refused,
 * saying so), and reads it in the page's import worker; figures naming the same file share one
 * fetch and one import. Inside a section (grad-import) the parent hands it the parsed run as
 * `.run` (with `.meanField`) and its step choice as `.state`. It runs no network.
 *
 * @summary A chart of a run recorded from your own PyTorch model: ‖δ‖ through depth, heat-maps, histograms, fractions or loss.
 * @event grad-state-change - `detail.step` when the reader moves the step slider (histograms, fractions).
 * @csspart run-status - Progress while the file is read, and why it could not be.
 * @cssproperty --grad-error - Colour of errors and non-finite values.
 * @tagname grad-run-file-chart
 */
export class GradRunFileChart extends GradFigure<RunFileState> {
  static override styles = [GradFigure.styles];
  static override optionRules = [VIEW, METRIC, SRC] as OptionRule<unknown>[];
  static override stateReader = RUN_FILE_STATE_READER;
  static override properties = {
    ...GradFigure.properties,
    run: { attribute: false },
    meanField: { attribute: false },
    load: { state: true },
  };

  /** The run to draw, handed by a parent; when null, the file at `src` is drawn. */
  declare run: ImportedRun | null;
  /** Its mean-field prediction (run-theory.ts); computed here when a parent hands none. */
  declare meanField: MeanFieldResult | null;
  /** How the file at `src` loads (only without `.run`). */
  declare load: RunFileLoad | null;

  private stopWatching: (() => void) | null = null;
  private watchedUrl: string | null = null;
  private cached: {
    run: ImportedRun;
    meanField: MeanFieldResult;
    key: string;
    chart: RunFileChart | null;
  } | null = null;
  private ownMeanField: { run: ImportedRun; result: MeanFieldResult } | null = null;

  constructor() {
    super();
    this.run = null;
    this.meanField = null;
    this.load = null;
  }

  /** The view drawn (`view`). */
  get view(): RunFileView {
    return this.option(VIEW);
  }

  /** The run drawn: the parent's, else the file's once read. */
  get drawnRun(): ImportedRun | null {
    if (this.run) return this.run;
    const load = this.load;
    return load?.status === 'done' && load.outcome.ok ? load.outcome.run : null;
  }

  /** The record of the per-layer views (histograms, fractions), or null without a run. */
  get record(): number | null {
    const run = this.drawnRun;
    return run && run.recordCount > 0 ? recordOfStep(run, this.state.step) : null;
  }

  private meanFieldOf(run: ImportedRun): MeanFieldResult {
    if (this.run === run && this.meanField) return this.meanField;
    const load = this.load;
    if (load?.status === 'done' && load.outcome.ok && load.outcome.run === run)
      return load.outcome.meanField;
    if (this.ownMeanField?.run !== run)
      this.ownMeanField = { run, result: meanFieldComparison(run) };
    return this.ownMeanField.result;
  }

  /** The chart of the current view, state and run (kept while they stay the same). */
  get currentChart(): RunFileChart | null {
    const run = this.drawnRun;
    if (!run) return null;
    const meanField = this.meanFieldOf(run);
    const metric = metricOf(this.option(METRIC))!;
    const key = JSON.stringify([this.view, metric, this.state]);
    const cached = this.cached;
    if (cached && cached.run === run && cached.meanField === meanField && cached.key === key)
      return cached.chart;
    const chart = runFileChart(run, { view: this.view, metric, state: this.state, meanField });
    this.cached = { run, meanField, key, chart };
    return chart;
  }

  protected override planKey(): string {
    return JSON.stringify([this.run ? 'run' : this.option(SRC)]);
  }

  /** Fetches `src` (through the shared store) when no run is handed down. */
  protected override plan(): void {
    const src = this.run ? null : this.option(SRC);
    const url = src === null ? null : sameOriginUrl(src);
    if (url === this.watchedUrl && this.stopWatching) return;
    this.unwatch();
    this.load = null;
    if (url === null || !this.isConnected) return;
    this.watchedUrl = url;
    this.stopWatching = watchRunFile(url, (load) => (this.load = load));
  }

  private unwatch(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    this.watchedUrl = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A removed figure stops waiting; the last one to go cancels the import.
    this.unwatch();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.toggleAttribute('data-complete', this.currentChart !== null);
  }

  protected override defaultCaption(): string {
    const chart = this.currentChart;
    if (chart) return chart.caption;
    const view = this.view;
    return view === 'heatmap'
      ? `${LAYER_METRIC_LABELS[metricOf(this.option(METRIC))!]} per layer and recorded step`
      : `Imported run: ${VIEW_LABELS[view]}`;
  }

  protected override renderControls(): unknown {
    const run = this.drawnRun;
    if (!run || run.recordCount === 0) return nothing;
    const view = this.view;
    if (view === 'histograms' || view === 'fractions') {
      const record = this.record ?? 0;
      const step = run.steps[record]!;
      return html`<label class="slider step-chooser"
        >Step
        <input
          type="range"
          name="step"
          min="0"
          max=${run.recordCount - 1}
          step="1"
          .value=${String(record)}
          aria-valuetext=${`step ${step.toLocaleString('en-US')}`}
          @input=${(event: Event) => {
            const index = Number((event.target as HTMLInputElement).value);
            this.changeState({ step: String(run.steps[index]) });
          }}
        /><output>${step.toLocaleString('en-US')}</output></label
      >`;
    }
    if (view === 'heatmap') {
      const current = this.option(METRIC);
      return html`<label
        >Statistic
        <select
          name="metric"
          @change=${(event: Event) =>
            this.setAttribute('metric', (event.target as HTMLSelectElement).value)}
        >
          ${RUN_FILE_METRIC_NAMES.map(
            (name) =>
              html`<option value=${name} ?selected=${name === current}>
                ${LAYER_METRIC_LABELS[metricOf(name)!]}
              </option>`,
          )}
        </select></label
      >`;
    }
    return nothing;
  }

  protected override runStatus(): unknown {
    if (this.run) return nothing;
    const load = this.load;
    const src = this.option(SRC);
    if (src === null) {
      // A bad src is reported above the figure (attribute problems); say what is missing here
      // (a parent hands the run when it has one).
      return this.getAttribute('src') === null && !this.managed
        ? html`<p class="note" part="run-status">
            No run to draw: give the figure <code>src</code>, the URL of a run file.
          </p>`
        : nothing;
    }
    if (!load) return nothing;
    if (load.status === 'loading') {
      const progress = load.progress;
      const total = progress?.totalBytes ?? null;
      const done = progress
        ? html`: ${megabytes(progress.bytes)}${total ? html` of ${megabytes(total)}` : nothing},
          ${progress.records.toLocaleString('en-US')} records`
        : nothing;
      return html`<div class="run-status" part="run-status" role="status">
        ${
          total && progress
            ? html`<progress max=${total} .value=${progress.bytes}></progress>`
            : html`<progress></progress>`
        }
        <span>Reading ${src}${done}</span>
      </div>`;
    }
    if (load.status === 'failed')
      return html`<p class="error" role="alert" part="run-status">${load.message}</p>`;
    if (!load.outcome.ok)
      return html`<p class="error" role="alert" part="run-status">
        ${src} is not a run gradlab can read: ${describeProblem(load.outcome.problem)}
      </p>`;
    if (load.outcome.run.recordCount === 0)
      return html`<p class="error" role="alert" part="run-status">
        ${src} has no step records to draw
      </p>`;
    return nothing;
  }

  protected override renderFigure(): unknown {
    const chart = this.currentChart;
    const view = this.view;
    return this.chart({
      name:
        chart?.name ??
        (view === 'heatmap'
          ? `run-file-heatmap-${metricAttribute(metricOf(this.option(METRIC))!)}`
          : `run-file-${view}`),
      data: chart?.data ?? null,
      xLabel: chart?.xLabel ?? (view === 'heatmap' || view === 'loss' ? 'step' : 'layer'),
      yLabel: chart?.yLabel ?? '',
      logY: chart?.logY ?? view === 'depth',
      ...(chart?.yMin !== undefined ? { yMin: chart.yMin } : {}),
      ...(chart?.yMax !== undefined ? { yMax: chart.yMax } : {}),
    });
  }
}

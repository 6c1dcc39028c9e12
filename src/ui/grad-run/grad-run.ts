import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { RunResult } from '../../engine/results.ts';
import { specToEntries } from '../../engine/spec.ts';
import '../figures/grad-layer-plot/define.ts';
import '../figures/grad-layer-table/define.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { sectionStyles } from '../lab/section.styles.ts';

/**
 * One experiment, layer by layer: the lab's spec run once (off the main thread, through the
 * shared queue), its per-layer gradient norms on a log chart (grad-layer-plot) and every
 * per-layer statistic in a table (grad-layer-table). Non-finite values are shown as such.
 *
 * The section makes the run itself, shows its progress once, announces it (grad-run-complete)
 * and hands the result down to its figures as `.result`, so they run nothing of their own.
 *
 * @summary One forward + backward pass and its per-layer statistics.
 * @event grad-run-complete - CustomEvent<RunResult>: the run, when it finishes.
 * @csspart table - The results table.
 * @csspart run-status - Progress, Cancel, and messages.
 */
export class GradRun extends LitElement {
  static override styles = sectionStyles;
  static override properties = {
    state: { attribute: false },
    result: { state: true },
  };

  declare state: LabState;
  declare result: RunResult | null;

  private readonly runs = new RunController(this);
  /** The spec (as a query string) being run, and the one whose result is shown. */
  private runKey: string | null = null;
  private resultKey: string | null = null;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.result = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state')) return;
    const key = new URLSearchParams(specToEntries(this.state.spec)).toString();
    // Same spec: let the run in progress finish, or keep the result shown (runs are deterministic).
    if (this.runs.running ? key === this.runKey : key === this.resultKey) return;
    this.runKey = key;
    void this.run(key);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-attached (e.g. moved in the page): run again if the last run was stopped.
    if (this.hasUpdated && this.resultKey !== this.runKey && !this.runs.running) {
      void this.run(this.runKey!);
    }
  }

  private async run(key: string): Promise<void> {
    const spec = this.state.spec;
    const result = await this.runs.start((ctx) => ctx.run(spec));
    if (!result) return;
    this.result = result;
    this.resultKey = key;
  }

  private renderResult(): unknown {
    const result = this.result;
    if (!result) return nothing;
    const { spec, backend, timings, stats } = result;
    const adapter = backend.adapter
      ? `, ${backend.adapter.vendor} ${backend.adapter.architecture}`
      : '';
    return html`<p class="status" data-testid="run-summary">
        ${spec.activation}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width}, batch
        ${spec.batch}; backend ${backend.name} (${backend.precision}${adapter});
        ${timings.compileMs !== undefined ? `shader compile ${timings.compileMs.toFixed(0)} ms;` : ''}
        compute ${timings.computeMs.toFixed(1)} ms; loss ${stats.loss.toPrecision(5)}
      </p>
      <grad-layer-plot
        export
        controls="none"
        .state=${this.state}
        .result=${result}
      ></grad-layer-plot>
      <grad-layer-table
        export
        controls="none"
        exportparts="table"
        .state=${this.state}
        .result=${result}
      ></grad-layer-table>`;
  }

  override render(): unknown {
    return html`${this.runs.render()} ${this.renderResult()}`;
  }
}

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import type { RunResult } from '../../engine/results.ts';
import { SpecError } from '../../engine/spec.ts';
import { DEFAULT_LAB_STATE, parseLabList, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { gradNormsStyles } from './grad-norms.styles.ts';
import {
  attenuationChart,
  attenuationTableData,
  collectResults,
  comparisonChart,
  depthSweepChart,
  formatFactor,
  formatScientific,
  planRuns,
  type GradNormsResults,
  type RunPlan,
  type SweepAxis,
} from './norms-data.ts';

/** What the section's runs depend on: the whole spec and the two lists it sweeps. */
const dependencyKey = (state: LabState): string =>
  JSON.stringify([state.spec, state.depths, state.activations]);

/**
 * The gradient-flow section (chapter §17.5): per-layer gradient norms ‖δ⁽ˡ⁾‖ on a log scale for
 * several depths at once (the chapter's depth-sweep figure) and for several activations side by
 * side (its 10-layer bar chart), the weight-gradient norms ‖∂L/∂W⁽ˡ⁾‖, and the chapter's bound
 * (max|f′|)^k with its attenuation table for 1–20 layers beside the measured attenuation. Every
 * run uses the lab's spec (init, width, batch, seed, backend…), a batch rather than the chapter's
 * single sample.
 *
 * @summary Gradient norms through depth and across activations, against the (max|f′|)^k bound.
 * @event grad-state-change - `detail` holds URL-style entries (`depths`, `activations`) when the
 *   reader edits the depth list or the compared activations; the lab parses and stores them.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @csspart table - The attenuation table.
 * @cssproperty --grad-error - Colour of error messages and non-finite values.
 * @cssproperty --grad-highlight - Background of the rows the chapter's own table lists.
 * @cssproperty --grad-muted - Colour of table cells with no measurement.
 */
export class GradNorms extends LitElement {
  static override styles = gradNormsStyles;
  static override properties = {
    state: { attribute: false },
    depthsDraft: { state: true },
    depthsError: { state: true },
    activationsError: { state: true },
    sweepAxis: { state: true },
  };

  declare state: LabState;
  /** The depth list as typed, until it is valid and committed. */
  declare depthsDraft: string;
  declare depthsError: string | null;
  declare activationsError: string | null;
  declare sweepAxis: SweepAxis;

  private readonly runs = new RunController(this);
  /** Results by run key; kept across state changes so runs the new state shares are not redone. */
  private readonly cache = new Map<string, RunResult>();
  private plan: RunPlan = { sweep: [], comparison: [], unique: [], refused: [] };
  private runKey = '';
  private committedDepths = '';

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.depthsDraft = '';
    this.depthsError = null;
    this.activationsError = null;
    this.sweepAxis = 'layer';
  }

  /** The data behind the charts and the table: every result computed so far for this state. */
  get results(): GradNormsResults {
    return collectResults(this.plan, (key) => this.cache.get(key));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Disconnecting cancelled any task in progress: plan again, so what is missing gets run.
    if (this.hasUpdated) {
      this.runKey = '';
      this.requestUpdate('state');
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('state')) return;
    const depths = this.state.depths.join(',');
    if (depths !== this.committedDepths) {
      this.committedDepths = depths;
      this.depthsDraft = depths;
      this.depthsError = null;
    }
    const key = dependencyKey(this.state);
    if (key === this.runKey) return;
    this.runKey = key;
    this.plan = planRuns(this.state);
    void this.runMissing(this.plan);
  }

  /** Runs what the plan needs and the cache lacks, showing each result as it arrives. */
  private async runMissing(plan: RunPlan): Promise<void> {
    const needed = new Set(plan.unique.map((run) => run.key));
    for (const key of this.cache.keys()) if (!needed.has(key)) this.cache.delete(key);
    const missing = plan.unique.filter((run) => !this.cache.has(run.key));
    if (missing.length === 0) {
      this.runs.cancel(false);
      return;
    }
    await this.runs.start(async (context) => {
      context.setTotal(missing.length);
      for (const run of missing) {
        const result = await context.run(run.spec);
        if (context.signal.aborted) return;
        this.cache.set(run.key, result);
        this.requestUpdate();
      }
    });
  }

  private changeState(entries: Record<string, string>): void {
    this.dispatchEvent(
      new CustomEvent('grad-state-change', { detail: entries, bubbles: true, composed: true }),
    );
  }

  /** Checks the typed depth list; the message names the field and what is allowed. */
  private validateDepths(text: string): number[] | null {
    try {
      const depths = parseLabList('depths', text);
      this.depthsError = null;
      return [...depths];
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.depthsError = error.message;
      return null;
    }
  }

  private onDepthsInput(event: Event): void {
    this.depthsDraft = (event.target as HTMLInputElement).value;
    this.validateDepths(this.depthsDraft);
  }

  private commitDepths(event: Event): void {
    event.preventDefault();
    const depths = this.validateDepths(this.depthsDraft);
    if (depths && depths.join(',') !== this.state.depths.join(',')) {
      this.changeState({ depths: depths.join(',') });
    }
  }

  private onActivationToggle(activation: ActivationName, event: Event): void {
    const box = event.target as HTMLInputElement;
    const current = this.state.activations;
    const next = box.checked
      ? [...current.filter((a) => a !== activation), activation]
      : current.filter((a) => a !== activation);
    if (next.length === 0) {
      box.checked = true;
      this.activationsError = 'activations: choose at least one activation to compare';
      return;
    }
    this.activationsError = null;
    this.changeState({ activations: next.join(',') });
  }

  private renderControls(): unknown {
    return html`<div class="controls">
        <form class="depths" @submit=${this.commitDepths}>
          <label
            >depths to sweep (hidden layers, comma-separated)
            <input
              type="text"
              name="depths"
              inputmode="numeric"
              autocomplete="off"
              .value=${this.depthsDraft}
              aria-invalid=${this.depthsError ? 'true' : 'false'}
              aria-describedby="depths-error"
              @input=${this.onDepthsInput}
              @change=${this.commitDepths}
          /></label>
          <button type="submit">Apply</button>
        </form>
        <label
          >depth sweep x axis
          <select
            name="sweep-axis"
            @change=${(event: Event) =>
              (this.sweepAxis = (event.target as HTMLSelectElement).value as SweepAxis)}
          >
            <option value="layer" ?selected=${this.sweepAxis === 'layer'}>
              layer index (the chapter's axis)
            </option>
            <option value="from-output" ?selected=${this.sweepAxis === 'below-output'}>
              layers below the output (k)
            </option>
          </select></label
        >
        <fieldset aria-describedby="activations-error">
          <legend>activations to compare</legend>
          ${ACTIVATION_NAMES.map(
            (name) =>
              html`<label class="inline"
                ><input
                  type="checkbox"
                  name="activations"
                  value=${name}
                  .checked=${this.state.activations.includes(name)}
                  @change=${(event: Event) => this.onActivationToggle(name, event)}
                />${ACTIVATIONS[name].label}</label
              >`,
          )}
        </fieldset>
      </div>
      <p class="error" id="depths-error" role="alert" ?hidden=${!this.depthsError}>
        ${this.depthsError ?? ''}
      </p>
      <p class="error" id="activations-error" role="alert" ?hidden=${!this.activationsError}>
        ${this.activationsError ?? ''}
      </p>`;
  }

  private renderCharts(results: GradNormsResults): unknown {
    const { spec } = this.state;
    const activation = ACTIVATIONS[spec.activation].label;
    const setup = `${spec.init} init, width ${spec.width}, batch ${spec.batch}`;
    const fromOutput = this.sweepAxis === 'below-output';
    const sweepReady = results.sweep.length > 0;
    const comparisonReady = results.comparison.length > 0;
    const waiting = (what: string) =>
      html`<p class="note" data-pending>Waiting for the runs of ${what}…</p>`;
    return html`<div class="charts" data-complete=${results.complete ? 'true' : 'false'}>
      ${
        sweepReady
          ? html`<grad-chart
              export
              data-chart="depth-sweep"
              export-name="gradient-flow-depths"
              chart-title="‖δ⁽ˡ⁾‖ per layer, one line per depth: ${activation}, ${setup}"
              x-label=${fromOutput ? 'layers below the output (k)' : 'layer (1 = closest to the input)'}
              y-label="gradient norm ‖δ⁽ˡ⁾‖"
              log-y
              .data=${depthSweepChart(results.sweep, this.sweepAxis)}
            ></grad-chart>`
          : waiting('the depth sweep')
      }
      ${
        comparisonReady
          ? html`<grad-chart
              export
              data-chart="activation-grad-norms"
              export-name="gradient-flow-activations"
              chart-title="‖δ⁽ˡ⁾‖ per layer by activation, ${spec.depth} hidden layers, ${setup}"
              x-label="layer (1 = closest to the input)"
              y-label="gradient norm ‖δ⁽ˡ⁾‖"
              log-y
              .data=${comparisonChart(results.comparison, 'gradNorm')}
            ></grad-chart>`
          : waiting('the activation comparison')
      }
      ${
        comparisonReady
          ? html`<grad-chart
              export
              data-chart="activation-weight-grad-norms"
              export-name="gradient-flow-weight-gradients"
              chart-title="Weight gradients ‖∂L/∂W⁽ˡ⁾‖ by activation, ${spec.depth} hidden layers"
              x-label="layer (1 = closest to the input)"
              y-label="‖∂L/∂W⁽ˡ⁾‖"
              log-y
              .data=${comparisonChart(results.comparison, 'weightGradNorm')}
            ></grad-chart>`
          : waiting('the weight gradients')
      }
      ${
        comparisonReady
          ? html`<grad-chart
              export
              data-chart="activation-bars"
              kind="bars"
              export-name="gradient-flow-bars"
              chart-title="Gradient magnitude across ${spec.depth} hidden layers (the chapter's bar chart)"
              x-label="layer (1 = closest to the input)"
              y-label="gradient norm ‖δ⁽ˡ⁾‖"
              log-y
              .data=${comparisonChart(results.comparison, 'gradNorm')}
            ></grad-chart>`
          : waiting('the bar chart')
      }
      ${
        comparisonReady
          ? html`<grad-chart
              export
              data-chart="attenuation"
              export-name="gradient-flow-attenuation"
              chart-title="Attenuation k layers below the output: measured ‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖ against the bound (max|f′|)^k"
              x-label="layers below the output (k)"
              y-label="‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖"
              log-y
              .data=${attenuationChart(results.comparison)}
            ></grad-chart>`
          : waiting('the attenuation chart')
      }
    </div>`;
  }

  private renderTable(results: GradNormsResults): unknown {
    const table = attenuationTableData(results.comparison);
    if (table.columns.length === 0) return nothing;
    const depth = this.state.spec.depth;
    return html`<div class="table-wrap">
      <table part="table" data-table="attenuation">
        <caption>
          Attenuation after k layers: the chapter's bound (max|f′|)^k beside the measured ‖δ⁽ᴸ⁻ᵏ⁾‖ /
          ‖δ⁽ᴸ⁾‖ at ${depth} hidden layers. Highlighted rows are the ones the chapter tabulates for
          sigmoid.
        </caption>
        <thead>
          <tr>
            <th rowspan="2" scope="col">layers k</th>
            ${table.columns.map(
              (c) =>
                html`<th colspan="3" scope="colgroup">
                  ${c.label} (max|f′| = ${formatFactor(c.maxAbsDerivative)})
                </th>`,
            )}
          </tr>
          <tr>
            ${table.columns.map(
              () =>
                html`<th scope="col">attenuation factor</th>
                  <th scope="col">scientific notation</th>
                  <th scope="col">measured</th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${table.rows.map(
            (row) =>
              html`<tr class=${row.inChapter ? 'chapter' : ''} data-layers=${row.layers}>
                <th scope="row">${row.layers}</th>
                ${row.cells.map((cell) => {
                  const measured = cell.measured;
                  const measuredCell =
                    measured === undefined
                      ? html`<td
                          class="missing"
                          title="the network has only ${depth} hidden layers"
                        >
                          —
                        </td>`
                      : html`<td
                          class=${
                            !Number.isFinite(measured)
                              ? 'nonfinite'
                              : measured > cell.bound
                                ? 'above'
                                : ''
                          }
                        >
                          ${formatFactor(measured)}
                        </td>`;
                  return html`<td>${formatFactor(cell.bound)}</td>
                    <td>${formatScientific(cell.bound)}</td>
                    ${measuredCell}`;
                })}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  override render(): unknown {
    const results = this.results;
    const { spec } = this.state;
    return html`
      ${this.renderControls()} ${this.runs.render()}
      ${this.plan.refused.map((message) => html`<p class="error" role="alert">${message}</p>`)}
      <p class="note">
        Each norm is taken over a batch of ${spec.batch} sample${spec.batch === 1 ? '' : 's'} (the
        chapter uses a single sample, which is noisy and, for ReLU, can be exactly zero), with the
        lab's init (${spec.init}), width ${spec.width}, seed ${spec.seed} and backend
        ${spec.backend}. The depth sweep uses ${ACTIVATIONS[spec.activation].label}; the comparison
        runs each activation at ${spec.depth} hidden layers. The depth sweep's other x axis, layers
        below the output, lines networks of different depths up at their output layer, where the
        gradient starts: each extra layer continues the same decay.
      </p>
      ${this.renderCharts(results)}
      <p class="note">
        The attenuation chart divides each layer's ‖δ‖ by the output layer's, so the measurement
        starts at 1 at k = 0 and shares its axis with the chapter's bound (max|f′|)^k (§17.5). That
        bound counts only the activation's derivative and ignores the weights' scale: the full
        factor per layer is at most ‖W‖₂·max|f′|, so measured values can lie above it (shown in
        italics in the table) where the weights amplify. For tanh and ReLU max|f′| = 1, so the bound
        is 1 at every depth and says nothing about vanishing: with He init ReLU's gradients keep
        their size because of the weights' scale, not because of the bound.
      </p>
      ${this.renderTable(results)}
    `;
  }
}

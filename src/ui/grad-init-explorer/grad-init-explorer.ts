import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import { INIT_NAMES, INITS, type InitName } from '../../engine/inits.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { RunController } from '../lab/run-controller.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import {
  bestVarianceKeeper,
  distributionChartData,
  EXERCISE_DEPTHS,
  explorerKey,
  formatFraction,
  formatLayerList,
  formatStatistic,
  fractionsScaleInvariant,
  layerSeriesChartData,
  seriesCoincide,
  initRunSpec,
  middleLayer,
  nonFiniteLayers,
  varianceSummary,
  type InitRun,
} from './explorer-data.ts';
import { gradInitExplorerStyles } from './grad-init-explorer.styles.ts';

/**
 * Exercise 17.5: the distribution of the activations in every hidden layer, for each chosen
 * initialization, at 10, 20 or 50 hidden layers. Per init, a heat-map of the per-layer
 * histograms with the mean and mean ± std drawn over it; the std per layer (log scale) and the
 * dead and saturated fractions per layer for all inits together; and a table of how the variance fares from the first hidden
 * layer to the last, with the init that keeps it closest to constant named from the runs.
 * Non-finite activations (overflow) are counted and shown, never dropped silently.
 *
 * The depth, activation and inits are the lab's shared settings: the controls send them up as a
 * `grad-state-change` event and the section re-runs when `state` comes back changed.
 *
 * @summary Per-layer activation distributions under normal, Xavier, He and the other inits.
 * @event grad-state-change - CustomEvent<Record<string, string>>: URL-style entries to change
 *   (`depth`, `inits`, `activation` with `alpha`).
 * @csspart run-status - Progress, Cancel, and run errors.
 * @csspart summary - The table comparing the inits' variance from the first to the last layer.
 * @csspart layer-table - Each init's per-layer table.
 * @cssproperty --grad-fg - Text colour.
 * @cssproperty --grad-error - Colour of errors and non-finite values.
 * @cssproperty --grad-accent - Focus outline colour.
 */
export class GradInitExplorer extends LitElement {
  static override styles = [sectionStyles, gradInitExplorerStyles];
  static override properties = {
    state: { attribute: false },
    runResults: { state: true },
    resultsKey: { state: true },
  };

  declare state: LabState;
  declare private runResults: readonly InitRun[];
  /** explorerKey of the state that runResults came from. */
  declare private resultsKey: string;

  private readonly runs = new RunController(this);
  /** explorerKey of the state last started (or finished). */
  private startedKey = '';

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.runResults = [];
    this.resultsKey = '';
  }

  /** The runs shown, one per init in the order of state.inits: for tests and readers. */
  get results(): readonly InitRun[] {
    return this.runResults;
  }

  private get currentKey(): string {
    return explorerKey(this.state.spec, this.state.inits);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page after a run was cut short by removal: run the current state again.
    if (this.hasUpdated && this.resultsKey !== this.currentKey) this.requestUpdate('state');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.resultsKey !== this.startedKey) this.startedKey = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Started here rather than in updated(): the controller's first requestUpdate then joins
    // this update instead of scheduling another.
    if (changed.has('state') && this.currentKey !== this.startedKey) this.runAll();
  }

  /** Runs every chosen init at the spec's depth; the results replace the old ones when all finish. */
  private runAll(): void {
    const state = this.state;
    const key = explorerKey(state.spec, state.inits);
    this.startedKey = key;
    void this.runs
      .start(async (context) => {
        const specs = state.inits.map((init) => initRunSpec(state.spec, init));
        context.setTotal(specs.length);
        const results: InitRun[] = [];
        for (const [i, spec] of specs.entries()) {
          const result = await context.run(spec);
          results.push({ init: state.inits[i]!, spec: result.spec, stats: result.stats });
        }
        return results;
      })
      .then((results) => {
        if (!results) return;
        this.runResults = results;
        this.resultsKey = key;
      });
  }

  private send(detail: Record<string, string>): void {
    this.dispatchEvent(
      new CustomEvent<Record<string, string>>('grad-state-change', {
        detail,
        bubbles: true,
        composed: true,
      }),
    );
  }

  private toggleInit(init: InitName, checked: boolean): void {
    const chosen = new Set(this.state.inits);
    if (checked) chosen.add(init);
    else chosen.delete(init);
    // The lab's list keeps the table's order, so the charts do too.
    const inits = INIT_NAMES.filter((name) => chosen.has(name));
    if (inits.length > 0) this.send({ inits: inits.join(',') });
  }

  private chooseActivation(activation: ActivationName): void {
    // The spec refuses a nonzero alpha for an activation without a parameter.
    const alpha = ACTIVATIONS[activation].defaultAlpha ?? 0;
    this.send({ activation, alpha: String(alpha) });
  }

  private renderControls(): unknown {
    const { spec, inits } = this.state;
    const depths = EXERCISE_DEPTHS.includes(spec.depth)
      ? EXERCISE_DEPTHS
      : [...EXERCISE_DEPTHS, spec.depth].sort((a, b) => a - b);
    return html`<div class="controls">
      <fieldset>
        <legend>Hidden layers</legend>
        ${depths.map(
          (depth) =>
            html`<label class="inline"
              ><input
                type="radio"
                name="depth"
                value=${depth}
                .checked=${depth === spec.depth}
                @change=${() => this.send({ depth: String(depth) })}
              />${depth}${EXERCISE_DEPTHS.includes(depth) ? '' : ' (current)'}</label
            >`,
        )}
      </fieldset>
      <label
        >Activation
        <select
          @change=${(event: Event) =>
            this.chooseActivation((event.target as HTMLSelectElement).value as ActivationName)}
        >
          ${ACTIVATION_NAMES.map(
            (name) =>
              html`<option value=${name} ?selected=${name === spec.activation}>
                ${ACTIVATIONS[name].label}
              </option>`,
          )}
        </select></label
      >
      <fieldset>
        <legend>Initializations (at least one)</legend>
        ${INIT_NAMES.map((init) => {
          const checked = inits.includes(init);
          return html`<label class="inline" title=${INITS[init].source}
            ><input
              type="checkbox"
              value=${init}
              .checked=${checked}
              ?disabled=${checked && inits.length === 1}
              @change=${(event: Event) =>
                this.toggleInit(init, (event.target as HTMLInputElement).checked)}
            />${INITS[init].label}</label
          >`;
        })}
      </fieldset>
    </div>`;
  }

  private renderSetup(): unknown {
    const { spec } = this.state;
    const parts = [
      `${spec.inputs} inputs`,
      `hidden layers ${spec.width} wide`,
      `batch ${spec.batch}`,
      `seed ${spec.seed} (${spec.rng})`,
      `backend ${spec.backend}`,
      ...(spec.sigmaB > 0 ? [`biases ~ N(0, ${spec.sigmaB}²)`] : []),
      ...(spec.residual ? ['residual connections'] : []),
      ...(spec.batchnorm ? ['batch norm'] : []),
    ];
    return html`<p class="note">
      Each run: ${parts.join(', ')}. The statistics are of the hidden layers' activations a⁽ˡ⁾ =
      φ(z⁽ˡ⁾) over units and batch; the output layer is left out.
    </p>`;
  }

  private renderSummary(runs: readonly InitRun[]): unknown {
    const depth = runs[0]!.spec.depth;
    const middle = middleLayer(depth);
    const summaries = runs.map(varianceSummary);
    const best = bestVarianceKeeper(summaries);
    const cell = (text: string) =>
      html`<td class=${text === 'non-finite' ? 'nonfinite' : ''}>${text}</td>`;
    return html`<p class="verdict" data-testid="verdict">
        ${
          best
            ? html`Closest to constant variance over ${depth} layers: ${INITS[best.init].label},
              Var(a⁽${depth}⁾) / Var(a⁽¹⁾) = ${formatStatistic(best.varianceRatio)}.`
            : html`No initialization kept a finite, nonzero activation variance through ${depth}
              layers.`
        }
      </p>
      <div class="table-wrap">
        <table part="summary" data-testid="summary">
          <caption>
            Activation std from the first hidden layer to the last (layer ${depth})
          </caption>
          <thead>
            <tr>
              <th scope="col">init</th>
              <th scope="col">std, layer 1</th>
              <th scope="col">std, layer ${middle}</th>
              <th scope="col">std, layer ${depth}</th>
              <th scope="col">Var ratio ${depth} / 1</th>
              <th scope="col">dead, layer ${depth}</th>
              <th scope="col">saturated, layer ${depth}</th>
              <th scope="col">non-finite activations</th>
            </tr>
          </thead>
          <tbody>
            ${summaries.map(
              (s) =>
                html`<tr data-init=${s.init}>
                  <th scope="row">${INITS[s.init].label}</th>
                  ${cell(formatStatistic(s.firstStd))} ${cell(formatStatistic(s.middleStd))}
                  ${cell(formatStatistic(s.lastStd))} ${cell(formatStatistic(s.varianceRatio))}
                  ${cell(formatFraction(s.lastDeadFraction))}
                  ${cell(formatFraction(s.lastSaturatedFraction))}
                  <td class=${s.nonFinite > 0 ? 'nonfinite' : ''}>${s.nonFinite}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  private renderInitRun(run: InitRun): unknown {
    const { spec, stats } = run;
    const label = INITS[run.init].label;
    const activation = ACTIVATIONS[spec.activation].label;
    const nonFinite = nonFiniteLayers(run);
    const cell = (text: string) =>
      html`<td class=${text === 'non-finite' ? 'nonfinite' : ''}>${text}</td>`;
    return html`<div class="init-run" data-init=${run.init}>
      <grad-chart
        export
        data-init=${run.init}
        chart-title="${label}: ${activation}, ${spec.depth} hidden layers"
        x-label="hidden layer"
        y-label="activation a⁽ˡ⁾"
        export-name="init-explorer-${run.init}-${spec.activation}-depth${spec.depth}"
        .data=${distributionChartData(run)}
      ></grad-chart>
      ${
        nonFinite.count > 0
          ? html`<p class="error" role="note" data-testid="non-finite">
              ${nonFinite.count} activation${nonFinite.count === 1 ? ' was' : 's were'} non-finite
              (NaN or ±∞, overflow) in layer${nonFinite.layers.length === 1 ? '' : 's'}
              ${formatLayerList(nonFinite.layers)}; the histograms hold the finite ones only.
            </p>`
          : nothing
      }
      <details>
        <summary>${label}: every layer</summary>
        <div class="table-wrap">
          <table part="layer-table">
            <caption>
              ${label}: activation statistics per hidden layer
            </caption>
            <thead>
              <tr>
                <th scope="col">layer</th>
                <th scope="col">mean</th>
                <th scope="col">std</th>
                <th scope="col">min</th>
                <th scope="col">max</th>
                <th scope="col">dead</th>
                <th scope="col">saturated</th>
                <th scope="col">non-finite</th>
              </tr>
            </thead>
            <tbody>
              ${Array.from({ length: spec.depth }, (_, i) => {
                const count = stats.histograms.nonFinite[i]!;
                return html`<tr>
                  <td>${i + 1}</td>
                  ${cell(formatStatistic(stats.activationMean[i]!))}
                  ${cell(formatStatistic(stats.activationStd[i]!))}
                  ${cell(formatStatistic(stats.histograms.min[i]!))}
                  ${cell(formatStatistic(stats.histograms.max[i]!))}
                  ${cell(formatFraction(stats.deadFraction[i]!))}
                  ${cell(formatFraction(stats.saturatedFraction[i]!))}
                  <td class=${count > 0 ? 'nonfinite' : ''}>${count}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
      </details>
    </div>`;
  }

  private renderResults(): unknown {
    const runs = this.runResults;
    if (runs.length === 0) return nothing;
    const { activation, depth } = runs[0]!.spec;
    const stem = `init-explorer-${activation}-depth${depth}`;
    return html`${this.renderSummary(runs)}
      <div class="charts" data-testid="distributions">
        ${runs.map((run) => this.renderInitRun(run))}
      </div>
      <h3>Activation std per layer</h3>
      <div class="charts">
        <grad-chart
          export
          data-layer-series="std"
          chart-title="Std of a⁽ˡ⁾ per layer, every init (log scale)"
          x-label="hidden layer"
          y-label="std of a⁽ˡ⁾"
          log-y
          export-name="${stem}-std"
          .data=${layerSeriesChartData(runs, 'activationStd')}
        ></grad-chart>
      </div>
      <h3>Dead and saturated units per layer</h3>
      ${this.renderCoincidence(runs)}
      <div class="charts">
        <grad-chart
          export
          data-layer-series="dead"
          chart-title="Dead units: φ(z) = 0 on every sample"
          x-label="hidden layer"
          y-label="fraction of units"
          y-min="0"
          y-max="1"
          export-name="${stem}-dead"
          .data=${layerSeriesChartData(runs, 'deadFraction')}
        ></grad-chart>
        <grad-chart
          export
          data-layer-series="saturated"
          chart-title="Saturated: |φ′(z)| ≤ 10⁻³·max|φ′|"
          x-label="hidden layer"
          y-label="fraction of (unit, sample) pairs"
          y-min="0"
          y-max="1"
          export-name="${stem}-saturated"
          .data=${layerSeriesChartData(runs, 'saturatedFraction')}
        ></grad-chart>
      </div>`;
  }

  /** Says so when the inits' fraction curves lie on top of each other, and why when it knows. */
  private renderCoincidence(runs: readonly InitRun[]): unknown {
    const same = (['deadFraction', 'saturatedFraction'] as const).filter((q) =>
      seriesCoincide(runs, q),
    );
    if (same.length === 0) return nothing;
    const what =
      same.length === 2 ? 'dead and saturated' : same[0] === 'deadFraction' ? 'dead' : 'saturated';
    return html`<p class="note" data-testid="coincide">
      The ${what} fractions are identical for every init shown, so their curves overlap.
      ${
        fractionsScaleInvariant(runs)
          ? html`These inits draw the same standard normals (one seed), each layer only scaled, and
            ${ACTIVATIONS[runs[0]!.spec.activation].label} with zero biases depends on the sign of z
            alone, which scaling does not change.`
          : nothing
      }
    </p>`;
  }

  override render(): unknown {
    const stale = !this.runs.running && this.resultsKey !== this.currentKey;
    return html`${this.renderControls()} ${this.renderSetup()} ${this.runs.render()}
    ${
      stale
        ? html`<p class="controls">
            <button type="button" @click=${() => this.runAll()}>Run</button>
            ${
              this.runResults.length > 0
                ? html`<span class="note">The results below are for earlier settings.</span>`
                : nothing
            }
          </p>`
        : nothing
    }
    ${this.renderResults()}`;
  }
}

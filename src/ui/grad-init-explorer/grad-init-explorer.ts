import { html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import { INIT_NAMES, INITS, type InitName } from '../../engine/inits.ts';
import '../figures/grad-init-histograms/define.ts';
import '../figures/grad-init-layer-table/define.ts';
import '../figures/grad-init-summary/define.ts';
import '../figures/grad-layer-stats/define.ts';
import { groupListener } from '../figures/figure-group.ts';
import type { GradInitSummary } from '../figures/grad-init-summary/grad-init-summary.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { sectionStyles } from '../lab/section.styles.ts';
import {
  EXERCISE_DEPTHS,
  fractionsScaleInvariant,
  initSpec,
  seriesCoincide,
  type InitRun,
} from './explorer-data.ts';
import { gradInitExplorerStyles } from './grad-init-explorer.styles.ts';

/**
 * The charts sit two or three to a row; 4:3 keeps them readable there and, with the chart's
 * 15rem minimum height, no wider than a phone's screen.
 */
const CHART_ASPECT = '4:3';

/**
 * Exercise 17.5: the distribution of the activations in every hidden layer, for each chosen
 * initialization, at 10, 20 or 50 hidden layers. Prose and a composition of figures: the table
 * of how the variance fares from the first hidden layer to the last, with the init that keeps it
 * closest to constant (grad-init-summary); per init, the heat-map of the per-layer histograms
 * with mean ± std (grad-init-histograms) and, on request, its per-layer table
 * (grad-init-layer-table); and the std, dead and saturated fractions per layer for all inits
 * together (grad-layer-stats, compare="inits"). The figures share the inits' runs; the summary
 * carries Cancel and Run for all of them (figure-group.ts).
 *
 * The depth, activation and inits are the lab's shared settings: the controls send them up as a
 * `grad-state-change` event and the figures re-run when `state` comes back changed.
 *
 * @summary Per-layer activation distributions under normal, Xavier, He and the other inits.
 * @event grad-state-change - CustomEvent<Record<string, string>>: URL-style entries to change
 *   (`depth`, `inits`, `activation` with `alpha`).
 * @csspart run-status - Progress, Cancel, and run errors (of each figure).
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
    openTables: { state: true },
  };

  declare state: LabState;
  /** The inits whose per-layer table the reader opened: only those are made. */
  declare private openTables: ReadonlySet<InitName>;

  private readonly onGroupEvent = groupListener(() => this.renderRoot);
  /** What the coincidence note was last drawn from (resultsSignature). */
  private drawnFrom = '';

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.openTables = new Set();
  }

  /**
   * The runs shown, one per init in the order of state.inits, once the summary has them all
   * (empty until then): for tests and readers. The other figures draw the same runs as they come
   * near the viewport.
   */
  get results(): readonly InitRun[] {
    const summary = this.renderRoot?.querySelector<GradInitSummary>('grad-init-summary');
    return summary?.hasAttribute('data-complete') ? summary.initRuns : [];
  }

  private resultsSignature(): string {
    return this.results.map((run) => JSON.stringify(run.spec)).join('|');
  }

  /**
   * The summary plans after this section hands it the state, and may already hold every run (no
   * run, so no grad-run-complete): once it has updated, draw again if its results changed.
   */
  protected override updated(): void {
    this.drawnFrom = this.resultsSignature();
    const summary = this.renderRoot.querySelector<GradInitSummary>('grad-init-summary');
    void summary?.updateComplete.then(() => {
      if (this.resultsSignature() !== this.drawnFrom) this.requestUpdate();
    });
  }

  /** The controls of the section's figures: none where the section shows none. */
  private get figureControls(): 'none' | 'compact' {
    return this.getAttribute('controls') === 'none' ? 'none' : 'compact';
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

  private toggleTable(init: InitName, open: boolean): void {
    const next = new Set(this.openTables);
    if (open) next.add(init);
    else next.delete(init);
    this.openTables = next;
  }

  private renderInit(init: InitName): unknown {
    const state = { ...this.state, spec: initSpec(this.state.spec, init) };
    const label = INITS[init].label;
    const open = this.openTables.has(init);
    return html`<div class="init-run" data-init=${init}>
      <grad-init-histograms
        data-init=${init}
        export
        controls="none"
        aspect=${CHART_ASPECT}
        .state=${state}
      ></grad-init-histograms>
      <details
        .open=${open}
        @toggle=${(event: Event) =>
          this.toggleTable(init, (event.target as HTMLDetailsElement).open)}
      >
        <summary>${label}: every layer</summary>
        ${
          open
            ? html`<grad-init-layer-table
                data-init=${init}
                controls="none"
                exportparts="table: layer-table"
                .state=${state}
              ></grad-init-layer-table>`
            : nothing
        }
      </details>
    </div>`;
  }

  override render(): unknown {
    const state = this.state;
    const runs = this.results;
    return html`${this.renderControls()} ${this.renderSetup()}
      <div
        class="figures"
        @grad-figure-cancel=${this.onGroupEvent}
        @grad-figure-rerun=${this.onGroupEvent}
        @grad-run-complete=${() => this.requestUpdate()}
      >
        <grad-init-summary
          export
          controls=${this.figureControls}
          exportparts="table: summary, run-status"
          .state=${state}
        ></grad-init-summary>
        <div class="charts" data-testid="distributions">
          ${repeat(
            state.inits,
            (init) => init,
            (init) => this.renderInit(init),
          )}
        </div>
        <h3>Activation std, dead and saturated units per layer</h3>
        ${runs.length > 0 ? this.renderCoincidence(runs) : nothing}
        <div class="charts">
          ${(['std', 'dead', 'saturated'] as const).map(
            (stat) =>
              html`<grad-layer-stats
                export
                controls="none"
                compare="inits"
                stat=${stat}
                aspect=${CHART_ASPECT}
                .state=${state}
              ></grad-layer-stats>`,
          )}
        </div>
      </div>`;
  }
}
